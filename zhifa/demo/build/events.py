"""The demo's ``events`` records: each street officer's last known position and the district's clock rules.

Input: the seeded ``Draws``, the district outline and the officers read back by ``org`` (with their zones);
the clock rules need the catalogue's matters, so this step runs after ``catalog``.
"""

import shapely
from django.utils import timezone
from shapely.geometry.base import BaseGeometry

from zhifa.catalog.models import Domain, Matter
from zhifa.demo.build.draws import Draws
from zhifa.events.models import OfficerPosition, SlaPolicy
from zhifa.events.states import EventPriority, TimeBase
from zhifa.org.models import District, Officer


def positions_build(draws: Draws, *, outline: BaseGeometry, officers: list[Officer]) -> None:
    """A last known position near the centre of each street officer's zone (as if the phone reported it)."""
    now = timezone.now()
    rows = []
    for officer in officers:
        if officer.zone is None:
            continue
        centre = shapely.geometry.shape(officer.zone.boundary).representative_point()
        lon, lat = draws.near(outline, centre.x, centre.y, 300)
        rows.append(OfficerPosition(officer=officer, lon=lon, lat=lat, accuracy_m=15.0, recorded_at=now))
    OfficerPosition.objects.bulk_create(rows)


def clock_rules_build(district: District) -> None:
    """The district default is "1530" around the clock, urgent events on shorter clocks; planning matters run on
    working days and market matters on working hours, to show the three time bases of city management."""
    SlaPolicy.objects.create(district=district, acknowledge_limit=1, arrive_limit=5, handle_limit=30)
    # Active danger (an urgent event, issue 14): on site within 3 minutes, handled within 20.
    SlaPolicy.objects.create(
        district=district, priority=EventPriority.URGENT, acknowledge_limit=1, arrive_limit=3, handle_limit=20
    )
    for matter in Matter.objects.filter(district=district, domain=Domain.PLANNING):
        SlaPolicy.objects.create(
            district=district,
            matter=matter,
            time_base=TimeBase.WORKING_DAYS,
            acknowledge_limit=1,
            arrive_limit=2,
            handle_limit=5,
        )
    for matter in Matter.objects.filter(district=district, domain=Domain.MARKET):
        SlaPolicy.objects.create(
            district=district,
            matter=matter,
            time_base=TimeBase.WORKING_HOURS,
            acknowledge_limit=30,
            arrive_limit=120,
            handle_limit=480,
        )
