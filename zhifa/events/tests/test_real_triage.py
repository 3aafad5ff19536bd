"""The services against the real triage modules (classify, dedup, geocode) — no fakes."""

from typing import Any

import pytest

from zhifa.catalog.tests.factories import MatterFactory
from zhifa.events.states import ClassifiedBy, EventRoute, EventStatus
from zhifa.events.tests.conftest import report

pytestmark = pytest.mark.django_db


def test_a_second_report_of_the_same_matter_nearby_is_merged(world: Any) -> None:
    MatterFactory(department=world.enforcement_dept, code="ZJ-SR-901", name="擅自占用城市道路")
    first = report(world, matter_code="ZJ-SR-901")

    second = report(world, matter_code="ZJ-SR-901", description="仁和路口还是有摊贩")

    assert (first.status, first.route) == (EventStatus.TRIAGED, EventRoute.ZONE_TEAM)
    assert (second.status, second.merged_into_id) == (EventStatus.MERGED, first.pk)
    assert (
        second.transitions.get().reason
        == f"自动合并：同一事项（擅自占用城市道路）在附近已有未办结事件 {first.public_no}"
    )


def test_free_text_is_classified_to_the_matter_whose_keywords_it_names(world: Any) -> None:
    matter = MatterFactory(
        department=world.enforcement_dept, name="店外经营", keywords="店外经营 出店经营 占道经营 摆摊"
    )
    MatterFactory(department=world.enforcement_dept, name="违法建设", keywords="违建 违章建筑 搭建")

    event = report(world, description="饭店门口出店经营，桌椅摆到人行道上")

    assert (event.matter_id, event.classified_by, event.route) == (matter.pk, ClassifiedBy.AUTO, EventRoute.ZONE_TEAM)
