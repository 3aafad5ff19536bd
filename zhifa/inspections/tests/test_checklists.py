"""Checklist versions and a subject's generated checklist (issue 12 part 1)."""

from typing import Any

import pytest

from zhifa.catalog.models import Domain
from zhifa.catalog.services import matter_update
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.core.actors import SystemActor
from zhifa.core.errors import PermissionDenied, ValidationFailed
from zhifa.core.models import AuditEntry
from zhifa.inspections.models import ChecklistVersion
from zhifa.inspections.selectors import subject_checklist
from zhifa.inspections.services import ItemSpec, checklist_version_create, checklists_sync_from_catalogue
from zhifa.inspections.tests.conftest import footprint
from zhifa.subjects.tests.factories import SubjectFactory

SYSTEM = SystemActor("测试")


def _items(version: ChecklistVersion) -> list[tuple[int, str]]:
    return [(i.position, i.text) for i in version.items.order_by("position")]


def test_a_subject_gets_the_current_items_of_every_matter_that_applies_grouped_by_department(world: Any) -> None:
    # given: two departments' matters on catering, one on every category, one on construction sites only
    enforcement_fumes = MatterFactory(
        department=world.enforcement_dept, code="ZF-01", domain=Domain.CATERING_FUMES, subject_categories=["catering"]
    )
    MatterFactory(department=world.enforcement_dept, code="ZF-02", subject_categories=["*"])
    market_food = MatterFactory(
        department=world.market_dept, code="SC-01", domain=Domain.MARKET, subject_categories=["catering"]
    )
    MatterFactory(department=world.market_dept, code="SC-02", subject_categories=["construction_site"])
    restaurant = SubjectFactory(district=world.district, name="知味观")
    checklists_sync_from_catalogue(actor=SYSTEM, district_id=world.district.pk)
    # a second version of the fumes matter, and a catering-only variant of the market matter
    checklist_version_create(
        actor=world.user("dispatcher"),
        matter_id=enforcement_fumes.pk,
        items=[ItemSpec("油烟净化器是否运行", score=10, requires_photo=True)],
    )
    checklist_version_create(
        actor=world.user("dispatcher"),
        matter_id=market_food.pk,
        subject_category="catering",
        items=[ItemSpec("后厨是否整洁")],
    )

    # when
    checklist = subject_checklist(user=world.user("dispatcher"), subject_id=restaurant.pk)

    # then: departments by code (SCJG, ZHZF), matters by code, each with the version it came from
    got = [
        (
            group.department.code,
            [(m.matter.code, m.version.number, m.version.subject_category, _items(m.version)) for m in group.matters],
        )
        for group in checklist.departments
    ]
    assert got == [
        ("SCJG", [("SC-01", 1, "catering", [(1, "后厨是否整洁")])]),
        (
            "ZHZF",
            [
                ("ZF-01", 2, "", [(1, "油烟净化器是否运行")]),
                ("ZF-02", 1, "", [(1, "检查一"), (2, "检查二"), (3, "检查三")]),
            ],
        ),
    ]
    assert checklist.item_count == 5
    photo = checklist.departments[1].matters[0].version.items.get()
    assert (photo.score, photo.requires_photo) == (10, True)


def test_the_first_version_comes_from_the_catalogue_with_the_matters_legal_basis(world: Any, market: Any) -> None:
    result = checklists_sync_from_catalogue(actor=SYSTEM, district_id=world.district.pk)

    version = ChecklistVersion.objects.get(matter=market.matter)
    assert (result.created, result.unchanged, version.number, version.note) == (1, 0, 1, "依据事项目录检查要点建立")
    assert [(i.text, i.legal_basis) for i in version.items.order_by("position")] == [
        ("检查一", "《城市道路管理条例》 第二十七条"),
        ("检查二", "《城市道路管理条例》 第二十七条"),
        ("检查三", "《城市道路管理条例》 第二十七条"),
    ]
    # a second run changes nothing
    before = footprint()
    assert checklists_sync_from_catalogue(actor=SYSTEM, district_id=world.district.pk).created == 0
    assert footprint() == before


def test_an_edit_of_the_matters_checklist_makes_a_new_version_and_the_old_one_stays(world: Any, market: Any) -> None:
    # given: version 1 from the catalogue, its first item given a method and a score
    checklists_sync_from_catalogue(actor=SYSTEM, district_id=world.district.pk)
    v1 = ChecklistVersion.objects.get(matter=market.matter)
    v2 = checklist_version_create(
        actor=world.user("liaison"),
        matter_id=market.matter.pk,
        items=[ItemSpec("检查一", method="查看证照", score=20), ItemSpec("检查二"), ItemSpec("检查三")],
        note="补充检查方法",
    )

    # when: the catalogue's editor replaces the matter's checklist wholesale, and the sync runs
    matter_update(
        actor=world.user("dispatcher"), matter_id=market.matter.pk, changes={"checklist": ["检查一", "新增：留样记录"]}
    )
    result = checklists_sync_from_catalogue(actor=SYSTEM, district_id=world.district.pk)

    # then: version 3 has the catalogue's items, keeping what v2 said of the unchanged one; v1 and v2 unchanged
    v3 = ChecklistVersion.objects.get(matter=market.matter, number=3)
    assert result.created == 1
    assert [(i.text, i.method, i.score) for i in v3.items.order_by("position")] == [
        ("检查一", "查看证照", 20),
        ("新增：留样记录", "", 0),
    ]
    assert _items(v1) == [(1, "检查一"), (2, "检查二"), (3, "检查三")]
    assert [(i.text, i.method, i.score) for i in v2.items.order_by("position")] == [
        ("检查一", "查看证照", 20),
        ("检查二", "", 0),
        ("检查三", "", 0),
    ]
    assert list(ChecklistVersion.objects.filter(matter=market.matter).values_list("number", flat=True)) == [1, 2, 3]
    assert AuditEntry.objects.filter(action="checklist_version.create").count() == 3


@pytest.mark.parametrize(
    ("items", "category", "code"),
    [
        ([], "", "checklist_empty"),
        ([ItemSpec("  ")], "", "checklist_item_text_required"),
        ([ItemSpec("查证照", score=101)], "", "checklist_item_score_invalid"),
        ([ItemSpec("查" * 301)], "", "checklist_item_too_long"),
        ([ItemSpec("查证照")], "construction_site", "checklist_category_invalid"),
        ([ItemSpec("查证照")], "no_such", "checklist_category_invalid"),
    ],
)
def test_a_bad_checklist_is_refused_with_its_code_and_writes_nothing(
    world: Any, market: Any, items: list[ItemSpec], category: str, code: str
) -> None:
    before = footprint()
    with pytest.raises(ValidationFailed) as refused:
        checklist_version_create(
            actor=world.user("dispatcher"), matter_id=market.matter.pk, items=items, subject_category=category
        )
    assert refused.value.code == code
    assert refused.value.message
    assert footprint() == before


@pytest.mark.parametrize("persona", ["officer_a", "leader", "business_owner"])
def test_who_may_not_write_a_checklist_is_refused_and_nothing_is_written(world: Any, market: Any, persona: str) -> None:
    before = footprint()
    with pytest.raises(PermissionDenied) as refused:
        checklist_version_create(actor=world.user(persona), matter_id=market.matter.pk, items=[ItemSpec("查证照")])
    assert refused.value.code == "checklist_edit_forbidden"
    assert footprint() == before


def test_a_liaison_may_not_write_another_departments_checklist(world: Any) -> None:
    other = MatterFactory(department=world.enforcement_dept)
    before = footprint()
    with pytest.raises(PermissionDenied):
        checklist_version_create(actor=world.user("liaison"), matter_id=other.pk, items=[ItemSpec("查证照")])
    assert footprint() == before
