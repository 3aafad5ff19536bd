"""The storage contract (``zhifa.core.rows``, zhifa/core/tests/test_rows.py) on the models the event intake
writes and reads through it: ``Event``, ``EventTransition``, and the matter with its department that triage
reads in one join. Here rather than in core's suite because core may not import the apps above it (the
import-linter's layers); the checks themselves are core's."""

from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection

from zhifa.catalog.models import DiscretionLevel, DiscretionTier, Matter
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.core import rows
from zhifa.core.tests.test_rows import (
    EARLIER,
    NOW,
    PAYLOAD,
    Build,
    check_hand_reads_equal_orm_reads,
    check_insert_row_stores_what_save_stores,
    values_of,
)
from zhifa.events.models import Event, EventTransition
from zhifa.events.states import ClassifiedBy, EventPriority, EventRoute, EventSource, EventStatus, TimeBase
from zhifa.org.models import Department

pytestmark = pytest.mark.django_db


def _event_subject(world: Any) -> Build:
    matter = MatterFactory(department=world.enforcement_dept, with_tiers=False)

    def build() -> Event:
        return Event(
            district=world.district,
            public_no="SJ20261204000001",
            source=EventSource.HOTLINE,
            source_ref="12345-20261204-0001",
            status=EventStatus.TRIAGED,
            priority=EventPriority.URGENT,
            description="甲街道某小区门口有人占道摆摊，影响通行",
            address="甲街道1号",
            lon=120.1053117,
            lat=30.3049876,
            street=world.street_a,
            zone=world.zone_a,
            grid=world.grid_a,
            matter=matter,
            department=world.enforcement_dept,
            classified_by=ClassifiedBy.AUTO,
            classification_score=0.8731,
            route=EventRoute.ZONE_TEAM,
            merged_into=None,
            reporter_name="王女士",
            reporter_user=None,
            alert_confidence=None,
            is_evidence_eligible=False,
            raw_payload=PAYLOAD,
            attributes={"门牌": "甲街道1号", "层级": [[1, 2], {"深": {"更深": "底"}}]},
            reported_at=NOW,
            triaged_at=EARLIER,
            time_base=TimeBase.AROUND_THE_CLOCK,
            escalation_level=2,
        )

    return build


def _transition_subject(world: Any) -> Build:
    event = _event_subject(world)()
    event.save()

    def build() -> EventTransition:
        return EventTransition(
            event=event,
            action="triage",
            from_status=EventStatus.REPORTED,
            to_status=EventStatus.TRIAGED,
            actor=None,
            actor_label="系统研判",
            reason="自动分类：占道经营（置信度0.87）",
            created_at=EARLIER,
        )

    return build


def _discretion_subject(world: Any) -> Build:
    # Not on the hot path: the project's one decimal column, so that the contract covers that kind too.
    matter = MatterFactory(department=world.enforcement_dept, with_tiers=False)

    def build() -> DiscretionLevel:
        return DiscretionLevel(
            matter=matter,
            tier=DiscretionTier.SERIOUS,
            fine_min=Decimal("2000.5"),
            fine_max=None,
            circumstances="多次占道",
            penalty="处二千元以上罚款",
        )

    return build


SUBJECTS = pytest.mark.parametrize(
    "subject", [_event_subject, _transition_subject, _discretion_subject], ids=["event", "transition", "discretion"]
)


@SUBJECTS
def test_insert_row_stores_what_save_stores(world: Any, subject: Any) -> None:
    check_insert_row_stores_what_save_stores(subject(world))


@SUBJECTS
def test_from_row_and_select_one_read_what_the_orm_reads(world: Any, subject: Any) -> None:
    obj = subject(world)()
    obj.save()

    check_hand_reads_equal_orm_reads(obj)


def test_insert_row_stamps_an_events_auto_now_fields_as_save_does(world: Any) -> None:
    # given an event whose created_at and updated_at nobody set
    event = _event_subject(world)()
    assert (event.created_at, event.updated_at) == (None, None)

    # when intake inserts it at a known instant
    with time_machine.travel(NOW, tick=False):
        rows.insert_row(event)

    # then both carry that instant, on the instance and in the row
    stored = Event.objects.get(pk=event.pk)
    assert (event.created_at, event.updated_at) == (NOW, NOW)
    assert (stored.created_at, stored.updated_at) == (NOW, NOW)


def test_an_inserted_event_is_updated_by_a_later_save(world: Any) -> None:
    """Intake inserts the event, and the steps after it (triage's dispatch, a merge) save it."""
    event = _event_subject(world)()
    rows.insert_row(event)

    event.outcome = "已劝离"
    event.save()

    assert list(Event.objects.values_list("pk", "outcome")) == [(event.pk, "已劝离")]


def test_from_row_splits_triages_join_of_a_matter_and_its_department(world: Any) -> None:
    """``triage.matter_with_department``: one row, the matter's columns then the department's."""
    matter = MatterFactory(department=world.market_dept, with_tiers=False)
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {rows.columns(Matter, alias='m')}, {rows.columns(Department, alias='d')} "
            f"FROM {qn(Matter._meta.db_table)} m JOIN {qn(Department._meta.db_table)} d ON d.id = m.department_id "
            "WHERE m.id = %s",
            [matter.pk],
        )
        row = cursor.fetchone()
    n = len(Matter._meta.concrete_fields)

    assert values_of(rows.from_row(Matter, row[:n])) == values_of(Matter.objects.get(pk=matter.pk))
    assert values_of(rows.from_row(Department, row[n:])) == values_of(Department.objects.get(pk=world.market_dept.pk))
