"""The API's records total is the records page's (issue 17, bench-pg): both take the figure's own number from
``event_records_count`` — settled days from the rollup — rather than counting the listed events one by one. On
the day built by hand (conftest.py), rolled up, then one hotline event changed to a patrol without the rollup
being recounted yet: the page and the API both say 7 hotline events (the rollup's), the rows listed are 6."""

import datetime as dt
import re
from typing import Any

import time_machine

from zhifa.analytics import rollup
from zhifa.analytics.scope import analytics_scope
from zhifa.analytics.selectors import event_records, event_records_count
from zhifa.events.models import Event
from zhifa.events.states import EventSource

from .conftest import DAY, TZ

LATER = dt.datetime(2026, 3, 11, 9, 0, tzinfo=TZ)  # the day is whole and settled
PERIOD = {"from": "2026-03-09", "to": "2026-03-11"}


def test_the_api_total_is_the_page_s(day: Any, sign_in: Any) -> None:
    leader = day.world.user("leader")
    event = day.street_a_events[0]
    assert event.source == EventSource.HOTLINE
    with time_machine.travel(LATER, tick=False):
        rollup.refresh(day.world.district.pk, DAY - dt.timedelta(days=1), DAY)
        Event.objects.filter(pk=event.pk).update(source=EventSource.PATROL)  # not yet recounted
        client = sign_in(leader)
        scope = analytics_scope(user=leader, date_from=PERIOD["from"], date_to=PERIOD["to"])
        figures = [
            ("all", ""),
            ("source", "hotline"),
            ("source", "patrol"),
            ("clock", "arrive:missed"),
            ("kind", str(day.kind.pk)),
            ("coordination", f"{day.world.market_dept.pk}:overdue"),  # not in the rollup: counted from the events
        ]
        answers = {}
        for figure, key in figures:
            params = {**PERIOD, "figure": figure, "key": key}
            body = client.get("/analytics/records/", params).content.decode()
            found = re.search(r'共 <b class="total">(\d+)</b>', body)
            assert found is not None, (figure, key)
            api = client.get("/api/v1/analytics/records", {**params, "limit": 500}).json()
            assert api["count"] == int(found.group(1)) == event_records_count(scope, figure=figure, key=key)
            answers[(figure, key)] = (api["count"], len(api["items"]))
        listed_hotline = event_records(scope, figure="source", key="hotline").count()
    assert answers[("all", "")] == (13, 13)
    # the rollup's count, as the page gives it, not the 6 rows the events now list
    assert answers[("source", "hotline")] == (7, 6) and listed_hotline == 6
    assert answers[("source", "patrol")] == (3, 4)
