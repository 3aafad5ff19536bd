"""``district_build``: writes the demo district from a seed by running the steps in ``zhifa.demo.build``.

``zhifa.demo.services.demo_load`` runs it in one transaction and audits the load; nothing else should call
it. Volume goes through ``bulk_create``; every step draws from the same seeded generators (``Draws``), in the
fixed order below, so one seed always yields the same district. The order is therefore part of the output:
moving a step (or making one draw more) changes every record drawn after it.
"""

from dataclasses import dataclass

from django.utils import timezone

from zhifa.core.actors import SystemActor
from zhifa.demo.build import cases, catalog, events, inspections, org, places, subjects
from zhifa.demo.build.accounts import operational_accounts_build, personas_build
from zhifa.demo.build.calendar import calendar_years_assume
from zhifa.demo.build.draws import Draws
from zhifa.org.models import District

DEFAULT_SEED = 20261126
# Who the load's audit entries (the load itself, the catalogue import) name as actor.
SYSTEM_ACTOR = SystemActor("系统")


@dataclass(frozen=True)
class DemoBuild:
    district: District
    # How the catalogue import went, for the load's report and its audit entry.
    matters_note: str
    # The years of the holiday notice the demo assumed (none known to the package), for the load's report.
    calendar_note: str = ""


def district_build(*, seed: int, accounts: bool = False) -> DemoBuild:
    """Write the demo district from ``seed``; the demo accounts (published password) only if ``accounts``."""
    draws = Draws(seed)
    # One day for every date the load sets (certificates' validity, the duty roster), even across midnight.
    today = timezone.localdate()
    calendar_note = calendar_years_assume(today)
    geography = org.geography_build(draws)
    district = geography.district
    departments = org.departments_build(district)
    org.people_build(draws, geography=geography, departments=departments, today=today)
    subjects.subjects_build(draws, geography=geography)
    if accounts:
        personas_build(draws, district=district, streets=geography.streets, departments=departments)
    matters_note = catalog.matters_build(district=district, actor=SYSTEM_ACTOR)
    officers = org.officers_on_duty_build(district, today=today)
    events.positions_build(draws, outline=geography.outline, officers=officers)
    events.clock_rules_build(district)
    if accounts:
        operational_accounts_build(
            district=district, officers=officers, streets=geography.streets, departments=departments
        )
    # Last, on its own generator (places.PLACES_SEED_OFFSET): the draws above stay as they were.
    places.places_build(seed=seed, geography=geography)
    if accounts:
        # After every draw: the cases are walked through the services by the demo accounts, drawing nothing.
        cases.number_ranges_build(district=district, actor=SYSTEM_ACTOR)
        cases.cases_build(district=district, today=today)
    # 综合查一次 (issue 12 parts 3, 5): plans drawn and merged into visits (no generator drawn from); with the
    # accounts, one joint visit walked to its signed record by one of its officers.
    inspections.joint_inspections_build(district=district, today=today, actor=SYSTEM_ACTOR, walk=accounts)
    return DemoBuild(district=district, matters_note=matters_note, calendar_note=calendar_note)
