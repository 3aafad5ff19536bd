"""Analytics migration 0007 counts the districts already marked from their marks (each place's repeats by local
month, street, zone and department), as the job's rebuild would: the upgrade needs no re-marking."""

import datetime as dt
import random
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from zhifa.analytics import repeat_marks
from zhifa.analytics.models import RepeatPlaceMonth
from zhifa.analytics.tests.test_repeat_marks import START, T0, Sample, monthly, monthly_from_marks
from zhifa.catalog.models import ComplaintKind
from zhifa.events.states import EventStatus

BEFORE = [("analytics", "0006_repeat_marks_unconstrained")]


def _migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_the_counts_of_a_marked_district_are_made_from_its_marks(world: Any) -> None:
    kinds = list(ComplaintKind.objects.filter(district=world.district).order_by("pk")[:3])
    sample = Sample(world, kinds, [], random.Random(5))
    with time_machine.travel(T0, tick=False):
        for _ in range(150):
            at = START + dt.timedelta(seconds=sample.rng.randrange(70 * 86400))
            sample.events.append(sample.new_event(at, status=EventStatus.REPORTED))
    district = world.district.pk
    repeat_marks.rebuild(district, now=T0 + dt.timedelta(hours=1))
    kept = monthly(district)
    assert kept and kept == monthly_from_marks(district)
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("analytics")

    _migrate(BEFORE)  # back before the counts (their table dropped), the marks kept
    _migrate(latest)

    assert monthly(district) == kept
    assert RepeatPlaceMonth.objects.count() == len(kept)
