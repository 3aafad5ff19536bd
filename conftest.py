"""Shared personas (STYLE.md): a dispatcher, an officer and an auxiliary in street A, an officer in
street B, a department liaison, a legal reviewer, a leader and a business owner — all in one district whose
two streets are 0.01° squares side by side (street A west of street B) — and a street dispatcher of street A
(街道调度员, who commands only that street's events; also street A's zone lead whom overdue clocks notify)."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from zhifa.catalog.kinds import kind_rows, kinds_write
from zhifa.org.models import Department, District, Grid, Street, Zone
from zhifa.org.roles import Role
from zhifa.org.tests.factories import (
    DepartmentFactory,
    DistrictFactory,
    GridFactory,
    OfficerFactory,
    ProfileFactory,
    StreetFactory,
    TeamFactory,
    UserFactory,
    ZoneFactory,
    square,
)


def pytest_configure() -> None:
    from django.conf import settings

    # Hashing passwords at full strength costs ~0.3 s per persona; tests only need them to check.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _triage_model() -> None:
    """The triage model the set-up builds (``make install``); trained here once if a bare ``pytest`` runs first."""
    from zhifa.events import routing
    from zhifa.events.services.triage_training import train_from_corpus

    if not routing.model_path().exists():
        train_from_corpus(routing.model_path())


# A point inside each street, for tests that place things.
POINT_IN_A = (120.105, 30.305)
POINT_IN_B = (120.115, 30.305)
POINT_OUTSIDE = (121.5, 31.2)


@dataclass
class World:
    district: District
    street_a: Street
    street_b: Street
    zone_a: Zone
    zone_b: Zone
    grid_a: Grid
    grid_b: Grid
    enforcement_dept: Department
    market_dept: Department
    users: dict[str, Any]

    def user(self, persona: str) -> Any:
        return self.users[persona]


@pytest.fixture
def world(db: Any) -> World:
    district = DistrictFactory(boundary=square(120.10, 30.30, 0.02))
    street_a = StreetFactory(district=district, code="A", name="甲街道", boundary=square(120.10, 30.30))
    street_b = StreetFactory(district=district, code="B", name="乙街道", boundary=square(120.11, 30.30))
    zone_a = ZoneFactory(street=street_a, code="A-1", name="甲一片区")
    zone_b = ZoneFactory(street=street_b, code="B-1", name="乙一片区")
    grid_a = GridFactory(zone=zone_a, code="A-1-1", name="甲一网格")
    grid_b = GridFactory(zone=zone_b, code="B-1-1", name="乙一网格")
    TeamFactory(street=street_a)
    TeamFactory(street=street_b)
    enforcement = DepartmentFactory(district=district, code="ZHZF", name="区综合行政执法局", short_name="综合执法")
    market = DepartmentFactory(
        district=district, code="SCJG", name="区市场监督管理局", short_name="市场监管", is_coordinating=True
    )

    # The district's complaint taxonomy, for the two departments this world has (the rest route to the human
    # triage queue, as a kind the district does not route does).
    kinds_write(district_id=district.pk, rows=kind_rows())

    def persona(username: str, role: str, **scope: Any) -> Any:
        user = UserFactory(username=username)
        ProfileFactory(user=user, district=district, role=role, display_name=username, **scope)
        return user

    users = {
        "dispatcher": persona("dispatcher", Role.DISPATCHER),
        "officer_a": persona("officer_a", Role.OFFICER, street=street_a),
        "auxiliary_a": persona("auxiliary_a", Role.AUXILIARY, street=street_a),
        "officer_b": persona("officer_b", Role.OFFICER, street=street_b),
        "liaison": persona("liaison", Role.LIAISON, department=market),
        "legal_reviewer": persona("legal_reviewer", Role.LEGAL_REVIEWER),
        "leader": persona("leader", Role.LEADER),
        "business_owner": persona("business_owner", Role.BUSINESS_OWNER),
        "street_dispatcher_a": persona("street_dispatcher_a", Role.STREET_DISPATCHER, street=street_a),
    }
    OfficerFactory(
        district=district,
        user=users["officer_a"],
        name="甲队员",
        home_department=enforcement,
        street=street_a,
        zone=zone_a,
    )
    OfficerFactory(
        district=district,
        user=users["officer_b"],
        name="乙队员",
        home_department=enforcement,
        street=street_b,
        zone=zone_b,
    )
    return World(district, street_a, street_b, zone_a, zone_b, grid_a, grid_b, enforcement, market, users)


@pytest.fixture(autouse=True)
def _audit_table_append_only(request: Any) -> Any:
    """Keep the audit table's append-only triggers as the migrations left them during every database test.

    Django empties tables between transactional tests with DELETE, which the triggers refuse; so for those
    tests the triggers are lifted just before that flush (this fixture's teardown runs first because it
    sets up the database fixture itself) and put back at the next test's start. Only triggers that were
    there are put back: a test database whose migrations lost them must show it
    (zhifa/core/tests/test_audit_append_only.py).
    """
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    transactional = bool({"transactional_db", "live_server"} & names) or bool(
        marker and marker.kwargs.get("transaction")
    )
    uses_db = transactional or bool(marker) or bool({"db", "world", "django_user_model", "admin_client"} & names)
    if not uses_db:
        yield
        return
    from django.db import connection

    from zhifa.core.db_triggers import audit_triggers_missing, install_audit_triggers, remove_audit_triggers

    request.getfixturevalue("transactional_db" if transactional else "db")
    if _audit_triggers_lifted.pop(connection.alias, False):
        install_audit_triggers(connection)
    yield
    if transactional and not audit_triggers_missing(connection):
        remove_audit_triggers(connection)
        _audit_triggers_lifted[connection.alias] = True


# Databases whose audit triggers a transactional test lifted for its flush, to be put back by the next test.
_audit_triggers_lifted: dict[str, bool] = {}


@pytest.fixture(autouse=True)
def _reference_rechecked_on_every_use(settings: Any) -> None:
    """Tests edit grids, matters and overrides and expect the next line to see them (production: 1 s)."""
    settings.ZHIFA_REFERENCE_RECHECK_S = 0


@pytest.fixture(autouse=True)
def _media_in_tmp_path(settings: Any, tmp_path: Path) -> None:
    """Photo files go to a folder of the test's own, never into var/media: a test's citizen photos would
    otherwise pile up there, and a test that counts files would see another test's."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _audit_checkpoints_in_tmp_path(settings: Any, tmp_path: Path) -> None:
    """Audit checkpoints belong to one database: a test's go to a folder of its own, never into the
    development database's var/audit-checkpoints (which every test's chain would then fail against)."""
    settings.ZHIFA_AUDIT_CHECKPOINT_DIR = tmp_path / "audit-checkpoints"


@pytest.fixture(autouse=True)
def _fresh_process_caches() -> Any:
    """In-process caches are keyed on database ids and change stamps; rolled-back test databases reuse ids
    (and frozen time repeats stamps), so every test starts with empty caches."""
    from zhifa.events import classify, geocode, recommend
    from zhifa.geo import index, places

    for cache in (classify._cache, geocode._cache, recommend._geometry_cache, index._cache, places._cache):
        cache.clear()
    yield


@pytest.fixture
def sign_in(client: Any) -> Any:
    """Signs the test client in as a user the way the person does it: the password step (``force_login``
    stands for the form), then, for the roles that need one, the second factor through its pages with the
    real code of a real TOTP device (zhifa.org.tests.second_factor) — the rule is never switched off."""
    from zhifa.org.accounts import second_factor_required
    from zhifa.org.tests.second_factor import pass_second_factor

    def login(user: Any) -> Any:
        client.force_login(user)
        if second_factor_required(user):
            pass_second_factor(client, user)
        return client

    return login


def migration_data_step(app_label: str, migration_name: str) -> Any:
    """The function a migration's one ``RunPython`` step runs, to call on data a test has arranged (a
    migration's module name starts with a digit, so it cannot be imported by a plain statement)."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations import RunPython

    migration = MigrationLoader(connection).get_migration(app_label, migration_name)
    [step] = [operation for operation in migration.operations if isinstance(operation, RunPython)]
    return step.code
