"""Free text → matter: the shipped catalogue answers obvious complaints, overrides teach it, and it follows
catalogue edits at once."""

from typing import Any

import pytest

from zhifa.catalog.importer import SHIPPED_CATALOGUE, matters_import
from zhifa.catalog.models import Matter
from zhifa.catalog.tests.factories import DEPARTMENT_CODES, MatterFactory
from zhifa.core.actors import SystemActor
from zhifa.events import classify
from zhifa.events.classify import classify_text
from zhifa.events.services import event_classify_override
from zhifa.events.tests.factories import EventFactory
from zhifa.org.models import Department
from zhifa.org.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_models() -> Any:
    # Models are cached per district id; ids are reused between tests, so start each test from nothing.
    classify._cache.clear()
    yield
    classify._cache.clear()


@pytest.fixture
def catalogue(world: Any) -> dict[str, Matter]:
    existing = set(Department.objects.filter(district=world.district).values_list("code", flat=True))
    for code, name in DEPARTMENT_CODES.items():
        if code not in existing:
            DepartmentFactory(district=world.district, code=code, name=name, short_name=name[1:5])
    matters_import(actor=SystemActor("系统"), district=world.district, path_or_file=SHIPPED_CATALOGUE)
    return {m.code: m for m in Matter.objects.filter(district=world.district)}


OBVIOUS = {
    "湖墅南路154号门口天天有人摆摊卖水果，人行道都被占了": "ZJ-SR-001",
    "楼下饭店的油烟直接排到我家窗户，没装净化器": "ZJ-YY-001",
    "隔壁工地半夜十二点还在施工，噪声扰民睡不着": "ZJ-JS-017",
    "一辆渣土车开过石祥路，一路遗撒泥土": "ZJ-JS-004",
    "小区的消防车通道被私家车停满了": "ZJ-XF-005",
    "网吧里有好多未成年人在上网": "ZJ-WL-004",
    "超市货架上的牛奶过期了还在卖，超过保质期三天": "ZJ-SC-002",
}
GIBBERISH = ["阿斯顿发送到发", "qwertyuiop", "今天天气不错", "", "   "]


# One test over the whole table rather than a parametrised copy per text: importing the shipped
# catalogue (92 matters, each audited) is the expensive part.
def test_obvious_complaints_land_on_their_matter_and_its_department(catalogue: dict[str, Matter]) -> None:
    district_id = catalogue["ZJ-SR-001"].district_id

    results = {text: classify_text(district_id=district_id, text=text) for text in [*OBVIOUS, *GIBBERISH]}

    by_id = {m.pk: m for m in catalogue.values()}
    assert {text: by_id[r.matter_id].code for text, r in results.items() if r is not None} == OBVIOUS
    for text, code in OBVIOUS.items():
        result = results[text]
        assert result is not None
        assert result.department_id == catalogue[code].department_id
        assert 0 < result.score <= 1
        assert result.candidates[0] == (catalogue[code].pk, result.score)
        assert len(result.candidates) <= classify.CANDIDATES
    assert [results[text] for text in GIBBERISH] == [None] * len(GIBBERISH)


def test_an_operator_override_teaches_the_model_a_colloquial_word(world: Any) -> None:
    vendors = MatterFactory(department=world.enforcement_dept, name="占道经营", keywords="占道经营 摆摊")
    muck = MatterFactory(department=world.enforcement_dept, name="渣土车遗撒", keywords="渣土车 遗撒")
    text = "泥头车半夜过去，马路上掉了好多黄泥巴"
    assert classify_text(district_id=world.district.pk, text=text) is None
    event = EventFactory(grid=world.grid_a, description="昨晚泥头车开过我们小区门口，马路上都是黄泥巴")

    event_classify_override(actor=world.user("dispatcher"), event=event, matter=muck)

    result = classify_text(district_id=world.district.pk, text=text)
    assert result is not None
    assert result.matter_id == muck.pk
    assert vendors.pk not in [m for m, _ in result.candidates]


def test_the_model_follows_a_catalogue_edit_at_once(world: Any) -> None:
    matter = MatterFactory(department=world.enforcement_dept, name="露天烧烤", keywords="露天烧烤 烧烤")
    text = "小区门口有人支炉子烤羊肉串"
    assert classify_text(district_id=world.district.pk, text=text) is None

    matter.keywords = "露天烧烤 烧烤 烤串 羊肉串"
    matter.save(update_fields=["keywords", "updated_at"])

    result = classify_text(district_id=world.district.pk, text=text)
    assert result is not None
    assert result.matter_id == matter.pk


def test_an_inactive_matter_is_never_proposed(world: Any) -> None:
    matter = MatterFactory(department=world.enforcement_dept, name="露天烧烤", keywords="露天烧烤 烧烤")
    assert classify_text(district_id=world.district.pk, text="楼下露天烧烤") is not None

    matter.is_active = False
    matter.save(update_fields=["is_active", "updated_at"])

    assert classify_text(district_id=world.district.pk, text="楼下露天烧烤") is None


def test_the_model_is_built_once_while_nothing_changes(world: Any, django_assert_num_queries: Any) -> None:
    MatterFactory(department=world.enforcement_dept, name="露天烧烤", keywords="露天烧烤 烧烤")
    classify_text(district_id=world.district.pk, text="楼下露天烧烤")

    # One stamp query (matters and feedback), no rebuild.
    with django_assert_num_queries(1):
        classify_text(district_id=world.district.pk, text="门口露天烧烤烟很大")
