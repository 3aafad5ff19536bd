"""三色管理 (issue 12 part 7): the score on known data with its explanation, thresholds and versions, the colour
history, the nightly refresh, and the draw reading the current colour."""

import datetime as dt
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from zhifa.core import batches
from zhifa.core.errors import ValidationFailed
from zhifa.events.states import EventStatus
from zhifa.events.tests.factories import EventFactory
from zhifa.inspections import colours, rectification
from zhifa.inspections.models import ColourModelVersion, PlanSubject, SubjectColour
from zhifa.inspections.services import plan_create, plan_draw
from zhifa.inspections.tests.rectification_fixtures import SH, signed_visit
from zhifa.subjects.models import Subject

ISSUE_DAY = dt.datetime(2026, 3, 5, 15, 0, tzinfo=SH)
SUBJECT_POINT = (120.105, 30.305)


def rows_of(colour: SubjectColour) -> dict[str, tuple[int, float]]:
    return {r["row"]: (r["count"], r["points"]) for r in colour.explanation["rows"]}


@time_machine.travel(ISSUE_DAY, tick=False)
def test_the_score_on_known_data_with_its_explanation(world: Any) -> None:
    signed = signed_visit(world)
    subject = signed.visit.subject
    (subject.lon, subject.lat) = SUBJECT_POINT
    subject.name = "老街面馆零号店"
    subject.save(update_fields=["lon", "lat", "name"])
    # A complaint 22 m away, one naming the subject 1 km away, one 22 m away but refused, one 200 m away.
    EventFactory(grid=world.grid_a, lon=120.105, lat=30.3052, reported_at=ISSUE_DAY - dt.timedelta(days=3))
    EventFactory(
        grid=world.grid_a, lon=120.105, lat=30.314, description="老街面馆零号店油烟扰民", reported_at=ISSUE_DAY
    )
    EventFactory(grid=world.grid_a, lon=120.105, lat=30.3052, status=EventStatus.REJECTED, reported_at=ISSUE_DAY)
    EventFactory(grid=world.grid_a, lon=120.105, lat=30.307, reported_at=ISSUE_DAY)
    # An event of 100 days ago falls out of the 90-day window.
    EventFactory(grid=world.grid_a, lon=120.105, lat=30.3052, reported_at=ISSUE_DAY - dt.timedelta(days=100))

    colour = colours.colour_recompute(subject_id=subject.pk, trigger="测试")

    assert colour is not None
    # 2 (一般) + 5 (较大) + 10 (重大) + 2 × 2 (投诉) = 21 ≥ 20: red.
    assert rows_of(colour) == {
        "finding_general": (1, 2.0),
        "finding_major": (1, 5.0),
        "finding_serious": (1, 10.0),
        "complaint": (2, 4.0),
    }
    assert (colour.score, colour.colour, colour.explanation["window_days"]) == (21.0, "red", 90)
    assert colour.explanation["since"] == "2025-12-06" and colour.explanation["until"] == "2026-03-05"
    serious = next(r for r in colour.explanation["rows"] if r["row"] == "finding_serious")
    assert serious["records"][0]["text"] == "重大隐患：油烟净化器未开启2"
    assert colour.model_version.number == 1


def test_rectification_speed_moves_the_colour_and_the_history_is_kept(world: Any) -> None:
    signed = signed_visit(world)
    subject = signed.visit.subject
    officer = world.users["officer_a"]
    with time_machine.travel(ISSUE_DAY, tick=False):
        late = rectification.order_issue(actor=officer, finding_id=signed.findings["general"].pk)
        on_time = rectification.order_issue(actor=officer, finding_id=signed.findings["major"].pk)
        first = SubjectColour.objects.get(subject=subject, is_current=True)
        # 17 for the findings: yellow.
        assert (first.colour, first.score) == ("yellow", 17.0)
    with time_machine.travel(dt.datetime(2026, 3, 12, 9, 0, tzinfo=SH), tick=False):
        rectification.order_reinspect(actor=officer, order_id=on_time.pk, outcome="confirm", note="合格")
    with time_machine.travel(dt.datetime(2026, 3, 30, 9, 0, tzinfo=SH), tick=False):  # late's deadline: 26 March
        changed = colours.colours_refresh(district_id=world.district.pk)
        assert changed == 1
        overdue = SubjectColour.objects.get(subject=subject, is_current=True)
        assert rows_of(overdue)["overdue_open"] == (1, 4.0) and rows_of(overdue)["rectified_on_time"] == (1, 0.0)
        assert (overdue.colour, overdue.score, overdue.previous_colour) == ("red", 21.0, "yellow")
        rectification.order_reinspect(actor=officer, order_id=late.pk, outcome="confirm", note="逾期整改完毕")
        now = SubjectColour.objects.get(subject=subject, is_current=True)
        assert rows_of(now)["rectified_late"] == (1, 3.0) and (now.colour, now.score) == ("red", 20.0)
        # Nothing changed since: the nightly run writes no new row.
        assert colours.colours_refresh(district_id=world.district.pk) == 0
    with time_machine.travel(dt.datetime(2026, 7, 1, 9, 0, tzinfo=SH), tick=False):
        out = StringIO()
        call_command("colours_refresh", "--once", stdout=out)
        assert out.getvalue().strip() == "三色管理：颜色变化1个；整改逾期提醒0件"  # the late order is closed
    history = list(SubjectColour.objects.filter(subject=subject).order_by("computed_at", "pk"))
    assert [(h.colour, h.score) for h in history] == [
        ("yellow", 17.0),
        ("red", 21.0),
        ("red", 20.0),
        ("green", 0.0),
    ]
    assert [h.is_current for h in history] == [False, False, False, True]


@time_machine.travel(ISSUE_DAY, tick=False)
def test_the_model_is_versioned_and_checked(world: Any, settings: Any) -> None:
    signed = signed_visit(world)
    v1 = colours.colour_model_current(district_id=world.district.pk)
    model = {**colours.DEFAULT_MODEL, "thresholds": {"red": 15, "yellow": 5}}
    v2 = colours.colour_model_write(district_id=world.district.pk, model=model, note="收紧", created_by="测试")
    assert (v1.number, v2.number) == (1, 2)
    colour = colours.colour_recompute(subject_id=signed.visit.subject_id, trigger="测试")
    assert colour is not None and (colour.colour, colour.model_version.number) == ("red", 2)
    for bad in (
        {**model, "thresholds": {"red": 5, "yellow": 15}},
        {**model, "window_days": 0},
        {**model, "weights": {**model["weights"], "case": -1}},
        {"window_days": 90},
    ):
        with pytest.raises(ValidationFailed) as caught:
            colours.colour_model_write(district_id=world.district.pk, model=bad, note="", created_by="测试")
        assert caught.value.code == "colour_model_invalid"
    assert ColourModelVersion.objects.filter(district=world.district).count() == 2


@pytest.mark.parametrize("batch", [None, 1], ids=["one read", "a read per subject"])
def test_the_draw_reads_the_subjects_current_colour(
    world: Any, market: Any, batch: int | None, monkeypatch: Any
) -> None:
    """The same colours whether read at once or in batches (a draw weighs more subjects than a statement takes
    parameters)."""
    if batch is not None:
        monkeypatch.setattr(batches, "BATCH", batch)
    red, green = market.subjects[0], market.subjects[1]
    version = colours.colour_model_current(district_id=world.district.pk)
    for subject, colour in ((red, "red"), (green, "green")):
        SubjectColour.objects.create(
            district=world.district,
            subject=subject,
            colour=colour,
            score=0,
            explanation={},
            model_version=version,
            trigger="测试",
            computed_at=ISSUE_DAY,
        )
    plan = plan_create(
        actor=world.user("liaison"),
        department_id=world.market_dept.pk,
        name="全部抽查",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 3, 31),
        target_ratio="1",
    )
    plan_draw(actor=world.user("liaison"), plan_id=plan.pk, public_value="x")
    drawn = {p.subject_id: (p.risk_colour, p.weight) for p in PlanSubject.objects.filter(plan=plan)}
    assert drawn[red.pk] == ("red", 2.0)
    assert drawn[green.pk] == ("green", 0.5)
    assert drawn[market.subjects[2].pk] == ("", 1.0)


@pytest.mark.parametrize("batch", [None, 1, 2], ids=["one read", "a read per subject", "two a read"])
def test_the_nightly_run_reads_every_subject_in_order_whether_at_once_or_in_batches(
    world: Any, market: Any, batch: int | None, monkeypatch: Any
) -> None:
    """The district's subjects are read in batches (more than a statement takes parameters): every one of them
    is coloured, in id order, as one read gave them."""
    if batch is not None:
        monkeypatch.setattr(batches, "BATCH", batch)
    catering = sorted(
        Subject.objects.filter(district=world.district, is_active=True, category="catering").values_list(
            "pk", flat=True
        )
    )
    assert len(catering) >= 12  # the market's twelve shops at least

    with time_machine.travel(ISSUE_DAY, tick=False):
        changed = colours.colours_refresh(district_id=world.district.pk, categories=["catering"])

    written = list(
        SubjectColour.objects.filter(district=world.district).order_by("pk").values_list("subject_id", "colour")
    )
    assert changed == len(catering)
    assert written == [(pk, "green") for pk in catering]


@time_machine.travel(ISSUE_DAY, tick=False)
def test_a_visit_signed_recolours_its_subject_after_the_commit(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    signed = signed_visit(world)
    SubjectColour.objects.all().delete()
    visit = signed.visit
    visit.status = "started"
    visit.save(update_fields=["status"])
    with django_capture_on_commit_callbacks(execute=True):
        visit.status = "signed"
        visit.save(update_fields=["status"])
    colour = SubjectColour.objects.get(subject=visit.subject, is_current=True)
    assert (colour.colour, colour.score, colour.trigger) == ("yellow", 17.0, f"综合检查 {visit.pk} 签署")
