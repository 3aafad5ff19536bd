"""The demo loads on whatever day ``make run`` is run (stop 23's CI failed on one such day). Its own module: the
demo district of ``test_load_demo``'s module fixture would otherwise already exist, and ``demo_load`` would only
say so."""

import datetime as dt

import pytest
import time_machine

from zhifa.cases.models import Case, CaseStatus
from zhifa.core.models import HolidayYear
from zhifa.demo.services import demo_load
from zhifa.inspections.models import JointInspection, RectificationOrder
from zhifa.inspections.states import VisitStatus


@pytest.mark.parametrize(
    "loaded_at",
    [
        # The decided cases' defence period spans the National Day holiday (it ends on 8 October, not 1 October).
        dt.datetime(2026, 11, 4, 12, tzinfo=dt.UTC),
        # The month's draw gives no joint visit an officer of the visit's street.
        dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC),
        # The holiday package does not know the year (2099 stands for 2027 until chinesecalendar has it).
        dt.datetime(2099, 1, 12, 12, tzinfo=dt.UTC),
    ],
    ids=["defence-period-over-national-day", "no-joint-visit-officer-of-its-street", "a-year-the-package-lacks"],
)
def test_the_demo_loads_on_any_day(loaded_at: dt.datetime, db: None) -> None:
    assert not Case.objects.exists()  # a district of its own, loaded here
    # make run loads the demo on whatever day it is run: its steps follow the law's periods as counted on that day,
    # and its joint visit is walked whichever officers the draw gave it.
    with time_machine.travel(loaded_at, tick=False):
        result = demo_load(accounts=True)
    assert result.created
    assert Case.objects.filter(status=CaseStatus.CLOSED).count() == 1
    assert Case.objects.filter(decision_number__gt="").count() == 3  # two decided and served, one on the spot
    signed = JointInspection.objects.filter(status=VisitStatus.SIGNED)
    assert any(v.departments.count() > 1 for v in signed)
    assert RectificationOrder.objects.filter(finding__inspection__in=signed).count() == signed.count()
    # A year the package lacks is the demo's stated assumption, reported by the load, and the only one it makes.
    assumed = list(HolidayYear.objects.values_list("year", "notice"))
    if loaded_at.year == 2099:
        assert [year for year, _ in assumed] == [2098, 2099] and all("演示数据假定" in n for _, n in assumed)
        assert "2098年、2099年" in result.calendar_note
    else:
        assert assumed == [] and result.calendar_note == ""
