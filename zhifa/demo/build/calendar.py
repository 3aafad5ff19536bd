"""``calendar_years_assume``: the demo on a day whose holiday notice the platform does not know.

The ``chinesecalendar`` package lags the State Council's notice (1.11, the newest on PyPI in December 2026, ends
with 2026). A real district enters the notice (年度节假日安排, ``HolidayYear``) and until then the legal periods
that reach into the year are refused. The demo cannot know the notice either, but ``make run`` must load it on
any day: it registers each such year its own periods reach (its cases go back 45 days; its notices' and orders'
periods run up to three weeks ahead) as Monday–Friday, saying on the row that this is the demo's assumption, and
the load reports it. An administrator corrects it in the admin. A year further ahead stays unknown, and the
administrators are reminded of it as in a real district.
"""

import datetime as dt

from zhifa.core.calendar import year_known
from zhifa.core.models import HolidayYear

BACK, AHEAD = dt.timedelta(days=60), dt.timedelta(days=21)
ASSUMED = (
    "演示数据假定：未收录国务院办公厅该年节假日安排通知，按周一至周五计算；正式使用前请在“工作日调整”中录入通知并更正"
)


def calendar_years_assume(today: dt.date) -> str:
    """Register the unknown years around ``today`` as the demo's assumption; what was assumed, for the load's
    report ("" when every year is known)."""
    years = [y for y in range((today - BACK).year, (today + AHEAD).year + 1) if not year_known(y)]
    for year in years:
        HolidayYear.objects.create(year=year, notice=ASSUMED)
    if not years:
        return ""
    listed = "、".join(f"{y}年" for y in years)
    return f"节假日数据未收录{listed}：演示按周一至周五计算（年度节假日安排中已注明，正式使用前请录入国务院通知）"
