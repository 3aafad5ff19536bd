"""The demo district, loaded once for the module (a load takes seconds) inside a transaction that is rolled
back afterwards, so nothing leaks into other modules' tests."""

import datetime as dt
import json
import re
from base64 import b32encode
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from io import StringIO
from typing import Any

import numpy as np
import pytest
import shapely
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from shapely.geometry import Point, shape

from zhifa.cases.models import Case, CaseStatus
from zhifa.cases.selectors import approval_queue, cases_in_scope, legal_review_queue, party_cases
from zhifa.core.identifiers import validate_id_number, validate_uscc
from zhifa.core.models import AuditEntry
from zhifa.demo.geometry import DATA_FILE
from zhifa.demo.services import DEMO_PASSWORD, DEMO_PERSONAS, DemoLoadResult, demo_counts, demo_load, demo_login_rows
from zhifa.documents.models import NumberRange
from zhifa.inspections.models import (
    InspectionFinding,
    InspectionPlan,
    JointInspection,
    RectificationOrder,
    SubjectColour,
)
from zhifa.inspections.states import PlanStatus, VisitStatus
from zhifa.org.models import (
    AuxiliaryAssessment,
    AuxiliaryStaff,
    Department,
    DepartmentKind,
    District,
    Grid,
    Officer,
    Profile,
    ShiftPattern,
    Street,
    Team,
    Zone,
)
from zhifa.org.roles import Role
from zhifa.org.roster_selectors import shifts_on_duty_at
from zhifa.org.rosters import rosters_extend
from zhifa.subjects.models import Subject, SubjectKind
from zhifa.subjects.rules import check_identifiers

PLATE = re.compile(r"^浙A[0-9A-HJ-NP-Z]{5}$")
# Stored coordinates are rounded to 1 mm; a point may sit that close to a boundary it is recorded inside.
EDGE_TOLERANCE_DEG = 1e-7


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[DemoLoadResult]:
    with django_db_blocker.unblock(), transaction.atomic():
        result = demo_load(accounts=True)
        yield result
        transaction.set_rollback(True)


def _seed_names() -> list[str]:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return [f["properties"]["name"] for f in data["features"] if f["properties"].get("kind") == "street_seed"]


def test_district_and_its_eighteen_streets_carry_the_real_names(demo: DemoLoadResult, db: None) -> None:
    district = District.objects.get()
    assert (district.code, district.name, district.agency_name, district.agency_abbreviation) == (
        "330105",
        "拱墅区",
        "杭州市拱墅区综合行政执法局",
        "杭拱综执",
    )
    assert district.is_approximate
    streets = list(Street.objects.filter(district=district).order_by("code"))
    assert [s.name for s in streets] == _seed_names()
    assert len(streets) == 18
    assert all(s.is_approximate and 8 <= s.auxiliary_cap <= 14 for s in streets)
    assert all(shape(s.boundary).geom_type == "Polygon" for s in streets)
    zones_per_street = Counter(Zone.objects.values_list("street_id", flat=True))
    assert all(3 <= zones_per_street[s.pk] <= 4 for s in streets)
    grids_per_zone = Counter(Grid.objects.values_list("zone_id", flat=True))
    assert all(3 <= n <= 12 for n in grids_per_zone.values())
    assert Team.objects.count() == 18
    assert set(Team.objects.values_list("name", flat=True)) == {f"{s.name}综合行政执法队" for s in streets}


def test_the_outline_is_stored_in_wgs84(demo: DemoLoadResult, db: None) -> None:
    """GCJ-02 lies a few hundred metres east and south of WGS-84 in Hangzhou; the stored outline must be the
    converted one, i.e. shifted back west and north of the source."""
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    source = shape(next(f["geometry"] for f in data["features"] if f["properties"]["name"] == "拱墅区"))
    stored = shape(District.objects.get().boundary)
    assert 0.003 < source.centroid.x - stored.centroid.x < 0.006
    assert 0.001 < stored.centroid.y - source.centroid.y < 0.004


def test_departments_have_the_catalogue_codes(demo: DemoLoadResult, db: None) -> None:
    rows = {d.code: d for d in Department.objects.all()}
    assert rows["ZHZX"].kind == DepartmentKind.COMMAND
    assert {c for c, d in rows.items() if d.is_sinking} == {"ZHZF", "SCJG", "WGLT", "YJGL", "WJ", "GZ"}
    assert {c for c, d in rows.items() if d.is_coordinating} == {
        "GA",
        "CG",
        "SCJG",
        "XF",
        "JJ",
        "YJGL",
        "STHJ",
        "RS",
        "WGLT",
        "MTZX",
    }
    assert {c for c, d in rows.items() if d.kind == DepartmentKind.OUTSIDE} == {"GD", "SW", "RQ", "DX", "YD"}


def test_grids_tile_zones_and_zones_tile_streets(demo: DemoLoadResult, db: None) -> None:
    district_geom = shape(District.objects.get().boundary)
    rng = np.random.default_rng(7)
    min_x, min_y, max_x, max_y = district_geom.bounds
    xs, ys = rng.uniform(min_x, max_x, 8000), rng.uniform(min_y, max_y, 8000)
    inside = shapely.contains_xy(district_geom, xs, ys)
    points = shapely.points(xs[inside], ys[inside])
    assert len(points) > 3000
    for model in (Grid, Zone, Street):
        geoms = [shape(b) for b in model.objects.values_list("boundary", flat=True)]
        assert all(g.is_valid for g in geoms)
        point_idx, _ = shapely.STRtree(geoms).query(points, predicate="intersects")
        hits = np.bincount(point_idx, minlength=len(points))
        assert (hits == 1).all(), f"{model.__name__}: {int((hits == 0).sum())} 个点不在任何单元内"
        assert sum(g.area for g in geoms) == pytest.approx(district_geom.area, rel=1e-6)
    # Each grid lies inside its own zone, each zone inside its own street.
    zone_geoms = {z.pk: shape(z.boundary) for z in Zone.objects.all()}
    street_geoms = {s.pk: shape(s.boundary) for s in Street.objects.all()}
    for grid in Grid.objects.all():
        g = shape(grid.boundary)
        assert grid.street_id == Zone.objects.get(pk=grid.zone_id).street_id
        assert zone_geoms[grid.zone_id].buffer(EDGE_TOLERANCE_DEG).covers(g)
    for zone in Zone.objects.all():
        assert street_geoms[zone.street_id].buffer(EDGE_TOLERANCE_DEG).covers(zone_geoms[zone.pk])


def test_subjects_carry_the_identifier_their_kind_requires(demo: DemoLoadResult, db: None) -> None:
    subjects = list(Subject.objects.all())
    assert len(subjects) >= 2000
    kinds = Counter(s.kind for s in subjects)
    assert kinds[SubjectKind.CONSTRUCTION_SITE] == 40
    assert kinds[SubjectKind.VEHICLE] >= 100
    assert kinds[SubjectKind.STREET_VENDOR] >= 100
    for s in subjects:
        if s.kind == SubjectKind.BUSINESS or s.kind == SubjectKind.CONSTRUCTION_SITE:
            assert validate_uscc(s.uscc) == s.uscc and s.uscc.startswith("91"), s.name
        elif s.kind == SubjectKind.INDIVIDUAL_TRADER:
            assert validate_uscc(s.uscc) == s.uscc and s.uscc.startswith("92"), s.name
            assert validate_id_number(s.id_number) == s.id_number, s.name
        elif s.kind == SubjectKind.STREET_VENDOR:
            assert validate_id_number(s.id_number) == s.id_number, s.name
        elif s.kind == SubjectKind.VEHICLE:
            assert PLATE.match(s.plate_number), s.plate_number
        # The subjects app's own rules accept it unchanged (already normalised).
        assert check_identifiers(kind=s.kind, uscc=s.uscc, id_number=s.id_number, plate_number=s.plate_number) == (
            s.uscc,
            s.id_number,
            s.plate_number,
        ), s.name
        assert s.name_pinyin and s.name_initials, s.name
        assert s.address.startswith("杭州市拱墅区")
    catering = Subject.objects.filter(category="catering").exclude(licences__kind="食品经营许可证")
    assert not catering.exists()


def test_every_subject_lies_in_its_grid_zone_and_street(demo: DemoLoadResult, db: None) -> None:
    grids = {g.pk: (g.zone_id, g.street_id, shape(g.boundary)) for g in Grid.objects.all()}
    zones = {z.pk: shape(z.boundary) for z in Zone.objects.all()}
    streets = {s.pk: shape(s.boundary) for s in Street.objects.all()}
    for s in Subject.objects.all():
        zone_id, street_id, grid_geom = grids[s.grid_id]
        assert (s.zone_id, s.street_id) == (zone_id, street_id), s.name
        point = Point(s.lon, s.lat)
        for geom in (grid_geom, zones[s.zone_id], streets[s.street_id]):
            assert geom.distance(point) <= EDGE_TOLERANCE_DEG, s.name


def test_sinking_share_is_the_articles_and_computed_from_the_officers(demo: DemoLoadResult, db: None) -> None:
    sinking_codes = {"ZHZF", "SCJG", "WGLT", "YJGL", "WJ", "GZ"}
    officers = list(Officer.objects.select_related("home_department"))
    assert 100 <= len(officers) <= 140
    assert all(o.home_department.code in sinking_codes for o in officers)
    of_sinking = [o for o in officers if o.home_department.code in sinking_codes]
    share = sum(1 for o in of_sinking if o.street_id is not None) / len(of_sinking)
    assert 0.70 <= share <= 0.78
    assert demo.sinking_share == Decimal(share).quantize(Decimal("0.0001"))
    assert all(o.zone is None or o.zone.street_id == o.street_id for o in officers)
    assert Officer.objects.filter(street__isnull=False, zone__isnull=True).count() == 0


def test_auxiliaries_stay_within_caps_and_each_has_one_assessment(demo: DemoLoadResult, db: None) -> None:
    assert 40 <= AuxiliaryStaff.objects.count() <= 50
    for street in Street.objects.all():
        assert 1 <= street.auxiliaries.count() <= street.auxiliary_cap
    assert AuxiliaryAssessment.objects.filter(year=2025).count() == AuxiliaryStaff.objects.count()
    assert all(a.contract_start_on < a.contract_end_on for a in AuxiliaryStaff.objects.all())


def test_demo_accounts_cover_every_persona(demo: DemoLoadResult, db: None) -> None:
    rows = demo_login_rows()
    assert [r.username for r in rows] == [p.username for p in DEMO_PERSONAS]
    assert {r.password for r in rows} == {DEMO_PASSWORD}
    profiles = {p.user.username: p for p in Profile.objects.select_related("user", "street", "department")}
    assert profiles["admin"].user.is_superuser
    assert profiles["admin"].user.check_password(DEMO_PASSWORD)
    assert profiles["shichang"].department.code == "SCJG"
    assert profiles["wulin_diaodu"].role == Role.STREET_DISPATCHER
    assert profiles["wulin_diaodu"].street.name == "武林街道"
    wulin_officer = Officer.objects.get(user=profiles["wulin_duiyuan"].user)
    assert wulin_officer.street.name == "武林街道"
    assert wulin_officer.name == profiles["wulin_duiyuan"].display_name
    assert AuxiliaryStaff.objects.get(user=profiles["wulin_xieguan"].user).street.name == "武林街道"
    assert Officer.objects.get(user=profiles["mishixiang_duiyuan"].user).street.name == "米市巷街道"
    owned = Subject.objects.get(owners__user=profiles["qiye"].user)
    assert (owned.street.name, owned.category) == ("武林街道", "catering")
    assert owned.responsible_person == profiles["qiye"].display_name

    # The privileged accounts come with a confirmed authenticator whose key demo_logins prints.
    devices = {d.user.username: d for d in TOTPDevice.objects.select_related("user")}
    assert sorted(devices) == ["admin", "fazhi", "lingdao"]
    assert {d.confirmed for d in devices.values()} == {True}
    secrets = {r.username: r.totp_secret for r in rows}
    assert secrets["lingdao"] == b32encode(devices["lingdao"].bin_key).decode()
    assert secrets["zhihui"] == ""

    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "wulin_xieguan" in out.getvalue()
    assert "辅助人员" in out.getvalue()
    assert secrets["fazhi"] in out.getvalue()


def test_every_street_keeps_a_rolling_roster_with_someone_on_duty(demo: DemoLoadResult, db: None) -> None:
    """The demo's roster (issue 14 part 5): a pattern per street, this month and next generated, someone on duty
    in every street now; the roster worker extends it, so a demo left running for weeks still recommends."""
    now = timezone.now()
    street_ids = set(Street.objects.filter(district=demo.district).values_list("pk", flat=True))
    patterns = ShiftPattern.objects.filter(district=demo.district, street__isnull=False)
    assert set(patterns.values_list("street_id", flat=True)) == street_ids
    assert set(shifts_on_duty_at(now).values_list("officer__street_id", flat=True)) >= street_ids
    next_month = (timezone.localdate() + dt.timedelta(days=32)).replace(day=15)
    noon = dt.datetime.combine(next_month, dt.time(12), tzinfo=timezone.get_current_timezone())
    assert set(shifts_on_duty_at(noon).values_list("officer__street_id", flat=True)) >= street_ids
    later = now + dt.timedelta(days=70)
    assert not shifts_on_duty_at(later).exists()
    rosters_extend(now=later - dt.timedelta(days=1), days=14)
    assert set(shifts_on_duty_at(later).values_list("officer__street_id", flat=True)) >= street_ids


def test_a_second_load_changes_nothing(demo: DemoLoadResult, db: None) -> None:
    before = demo_counts(demo.district)
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "已存在" in out.getvalue()
    assert demo_load().created is False
    assert demo_counts(demo.district) == before
    assert AuditEntry.objects.filter(action="demo.load").count() == 1
    entry = AuditEntry.objects.get(action="demo.load")
    assert entry.actor_label == "系统"
    assert entry.after["counts"] == demo.counts


def test_the_demo_accounts_find_cases_waiting_for_them(demo: DemoLoadResult, db: None) -> None:
    # The head has a filing to approve, the legal reviewer a case to review, the business a notice to answer,
    # and every case the street officer handles is in his street; each stage was reached through the services.
    leader, reviewer, shop, officer = (
        User.objects.get(username=u) for u in ("lingdao", "fazhi", "qiye", "wulin_duiyuan")
    )
    assert CaseStatus.FILING_APPROVAL in {c.status for c in approval_queue(leader)}
    assert [c.status for c in legal_review_queue(reviewer)] == [CaseStatus.LEGAL_REVIEW]
    assert [c.status for c in party_cases(shop)] == [CaseStatus.NOTICED]
    assert {c.street.name for c in cases_in_scope(officer)} == {"武林街道"}
    closed = Case.objects.get(status=CaseStatus.CLOSED)
    assert [s.action for s in closed.steps.all()][-3:] == ["serve", "record_payment", "close"]
    assert NumberRange.objects.filter(officer__user__username="wulin_duiyuan").exists()


def test_the_demo_merges_the_months_draws_into_joint_inspections_and_one_is_signed(
    demo: DemoLoadResult, db: None
) -> None:
    # 综合查一次 (issue 12 parts 3, 5): three departments' drawn plans merged; some subjects drawn by two or
    # more of them are one visit; one joint visit was walked by its officer to the party's signature.
    assert InspectionPlan.objects.filter(status=PlanStatus.DRAWN).count() == 3
    visits = JointInspection.objects.annotate(n=Count("departments", distinct=True), c=Count("checks", distinct=True))
    assert sum(v.c for v in visits) > visits.count()  # visits saved
    assert any(v.n > 1 for v in visits)
    signed = list(JointInspection.objects.filter(status=VisitStatus.SIGNED).order_by("pk"))
    assert len(signed) > 1 and any(v.departments.count() > 1 for v in signed)
    for visit in signed:
        assert visit.signatures.filter(kind="party", refused=False).exists() and visit.findings.exists()
    # each finding ordered rectified (责令改正), and the three colours computed for the district
    findings = InspectionFinding.objects.filter(inspection__in=signed)
    assert set(RectificationOrder.objects.values_list("finding_id", flat=True)) == set(
        findings.values_list("pk", flat=True)
    )
    assert SubjectColour.objects.filter(subject__in=[v.subject for v in signed], is_current=True).count() == len(
        {v.subject_id for v in signed}
    )
