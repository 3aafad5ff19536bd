"""The roster pages (issue 14 part 5): the month grid scoped to who looks, a cell edited by the street dispatcher
with refusals shown with their codes and nothing written, generating a month, requests approved from the list,
the officer's leave request on the phone."""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import World
from zhifa.core.models import AuditEntry
from zhifa.org.models import DutyShift, Officer, RosterRequest, RosterRequestStatus
from zhifa.org.rosters import rosters_extend
from zhifa.org.tests.factories import OfficerFactory
from zhifa.org.tests.rosters_setup import local, second_officer_a, street_a_pattern

DAY = dt.date(2026, 10, 14)
NOW = local(dt.date(2026, 10, 9), 10)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_street_dispatcher_sees_only_their_streets_officers(world: World) -> None:
    second_officer_a(world, name="<b>甲二</b>")
    page = client_for(world.user("street_dispatcher_a")).get(reverse("web:roster"), {"month": "2026-10"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "甲队员" in html and "&lt;b&gt;甲二&lt;/b&gt;" in html and "<b>甲二</b>" not in html
    assert "乙队员" not in html
    assert "国庆节" in html and "调休上班" in html


def test_a_business_owner_has_no_roster(world: World) -> None:
    assert client_for(world.user("business_owner")).get(reverse("web:roster")).status_code == 403


def test_adding_a_shift_from_the_pattern_on_the_cell_page(world: World) -> None:
    officer = Officer.objects.get(name="甲队员")
    pattern = street_a_pattern(world, anchor_on=dt.date(2026, 10, 1))
    key = f"{pattern.pk}:中"
    client = client_for(world.user("street_dispatcher_a"))
    url = reverse("web:roster-cell", args=[officer.pk, DAY.isoformat()])
    answer = client.post(url, {"op": "add", "shift_code": key, "note": "专项整治"})
    assert answer.status_code == 302
    shift = DutyShift.objects.get(officer=officer)
    assert (shift.starts_at, shift.ends_at, shift.code, shift.source, shift.note) == (
        local(DAY, 16),
        local(DAY, 23, 59) + dt.timedelta(minutes=1),
        "中",
        "manual",
        "专项整治",
    )
    grid = client.get(reverse("web:roster"), {"month": "2026-10"}).content.decode()
    assert 'title="中班 16:00–00:00 专项整治">中</span>' in grid


@pytest.mark.parametrize(
    ("persona", "officer_name", "fields", "status", "code"),
    [
        (
            "street_dispatcher_a",
            "甲队员",
            {"shift_code": "custom", "starts_at": "2026-10-14T18:00", "ends_at": "2026-10-14T09:00"},
            422,
            "shift_ends_before_start",
        ),
        (
            "street_dispatcher_a",
            "甲队员",
            {"shift_code": "custom", "starts_at": "2026-10-14T07:00", "ends_at": "2026-10-14T09:00"},
            422,
            "shift_overlaps",
        ),
        (
            "officer_a",
            "甲队员",
            {"shift_code": "custom", "starts_at": "2026-10-14T18:00", "ends_at": "2026-10-14T20:00"},
            403,
            None,
        ),
    ],
)
def test_a_refused_edit_is_shown_with_its_code_and_writes_nothing(
    world: World, persona: str, officer_name: str, fields: dict[str, str], status: int, code: str | None
) -> None:
    officer = Officer.objects.get(name=officer_name)
    DutyShift.objects.create(
        district=world.district, officer=officer, starts_at=local(DAY, 8), ends_at=local(DAY, 16), code="早"
    )
    before = (DutyShift.objects.count(), AuditEntry.objects.count())
    url = reverse("web:roster-cell", args=[officer.pk, DAY.isoformat()])
    answer = client_for(world.user(persona)).post(url, {"op": "add", **fields})
    assert answer.status_code == status
    if code:
        assert f"（{code}）" in answer.content.decode()
    assert (DutyShift.objects.count(), AuditEntry.objects.count()) == before


def test_another_streets_officer_is_not_found_for_a_street_dispatcher(world: World) -> None:
    officer_b = Officer.objects.get(name="乙队员")
    url = reverse("web:roster-cell", args=[officer_b.pk, DAY.isoformat()])
    answer = client_for(world.user("street_dispatcher_a")).post(
        url, {"op": "add", "shift_code": "custom", "starts_at": "2026-10-14T08:00", "ends_at": "2026-10-14T16:00"}
    )
    assert answer.status_code == 404
    assert DutyShift.objects.count() == 0


def test_generating_a_month_from_the_page_reports_what_it_did(world: World) -> None:
    second_officer_a(world)
    pattern = street_a_pattern(world, anchor_on=dt.date(2026, 10, 1))
    client = client_for(world.user("street_dispatcher_a"))
    answer = client.post(reverse("web:roster-generate"), {"pattern": pattern.pk, "month": "2026-11"}, follow=True)
    assert answer.status_code == 200
    assert DutyShift.objects.filter(source="generated").count() > 0
    assert "甲街道早中班 2026年11月：新增" in answer.content.decode()


def test_leave_asked_on_the_phone_and_approved_from_the_list(world: World) -> None:
    officer = Officer.objects.get(name="甲队员")
    DutyShift.objects.create(district=world.district, officer=officer, starts_at=local(DAY, 8), ends_at=local(DAY, 16))
    phone = client_for(world.user("officer_a"))
    assert phone.get(reverse("web:phone-roster")).status_code == 200
    asked = phone.post(
        reverse("web:phone-roster-request"),
        {"kind": "leave", "starts_on": "2026-10-14", "ends_on": "2026-10-15", "reason": "就医"},
    )
    assert asked.status_code == 302
    request = RosterRequest.objects.get()
    desk = client_for(world.user("street_dispatcher_a"))
    assert "就医" in desk.get(reverse("web:roster-requests")).content.decode()
    desk.post(reverse("web:roster-request-decide", args=[request.pk, "approve"]))
    request.refresh_from_db()
    assert request.status == RosterRequestStatus.APPROVED
    assert DutyShift.objects.get(officer=officer).removed_at is not None
    assert AuditEntry.objects.filter(action="roster_leave.request").count() == 1


def test_the_no_cover_banner_names_the_zone(world: World) -> None:
    street_a_pattern(world, anchor_on=dt.date(2026, 10, 1))
    page = client_for(world.user("street_dispatcher_a")).get(reverse("web:roster"))
    html = page.content.decode()
    assert "无人值守预警" in html and "甲街道甲一片区 10-09 16:00（中班）" in html


def test_the_month_grid_reads_the_same_number_of_queries_whatever_the_number_of_officers(world: World) -> None:
    client = client_for(world.user("dispatcher"))
    url = reverse("web:roster")

    def queries() -> int:
        with CaptureQueriesContext(connection) as seen:
            assert client.get(url, {"month": "2026-10"}).status_code == 200
        return len(seen)

    for _ in range(2):
        officer = OfficerFactory(
            district=world.district, home_department=world.enforcement_dept, street=world.street_a, zone=world.zone_a
        )
        DutyShift.objects.create(
            district=world.district, officer=officer, starts_at=local(DAY, 8), ends_at=local(DAY, 16)
        )
    few = queries()
    for _ in range(4):
        officer = OfficerFactory(
            district=world.district, home_department=world.enforcement_dept, street=world.street_a, zone=world.zone_a
        )
        DutyShift.objects.create(
            district=world.district, officer=officer, starts_at=local(DAY, 8), ends_at=local(DAY, 16)
        )
    assert queries() == few


def test_a_swap_asked_on_the_phone_and_a_bad_leave_refused_with_its_code(world: World) -> None:
    officer = Officer.objects.get(name="甲队员")
    colleague = second_officer_a(world)
    mine = DutyShift.objects.create(
        district=world.district, officer=officer, starts_at=local(DAY, 8), ends_at=local(DAY, 16)
    )
    theirs = DutyShift.objects.create(
        district=world.district, officer=colleague, starts_at=local(DAY, 16), ends_at=local(DAY, 23)
    )
    phone = client_for(world.user("officer_a"))
    page = phone.get(reverse("web:phone-roster")).content.decode()
    assert f'<option value="{theirs.pk}">甲二队员 10月14日 16:00 </option>' in page
    asked = phone.post(
        reverse("web:phone-roster-request"),
        {"kind": "swap", "shift": mine.pk, "other_shift": theirs.pk, "reason": "家长会"},
    )
    assert asked.status_code == 302
    assert list(RosterRequest.objects.values_list("kind", "shift_id", "other_shift_id")) == [
        ("swap", mine.pk, theirs.pk)
    ]
    refused = phone.post(
        reverse("web:phone-roster-request"),
        {"kind": "leave", "starts_on": "2026-10-15", "ends_on": "2026-10-14", "reason": "就医"},
    )
    assert refused.status_code == 422
    assert "（leave_dates_invalid）" in refused.content.decode()
    assert RosterRequest.objects.count() == 1


def test_a_stopped_pattern_is_not_extended_and_another_street_cannot_stop_it(world: World) -> None:
    pattern = street_a_pattern(world, anchor_on=dt.date(2026, 10, 1))
    url = reverse("web:roster-pattern-active", args=[pattern.pk])
    assert client_for(world.user("officer_b")).post(url, {"is_active": "0"}).status_code == 404
    client_for(world.user("street_dispatcher_a")).post(url, {"is_active": "0"})
    pattern.refresh_from_db()
    assert pattern.is_active is False
    assert rosters_extend(now=NOW) == []
    assert AuditEntry.objects.filter(action="roster.pattern_deactivate").count() == 1
