"""A matter's own 常用语 and 处置结果类型 (issue 16): added after the district's defaults, once, by whoever may edit
the catalogue; refused for anyone else with nothing written."""

from typing import Any

import pytest

from zhifa.catalog.models import HandlingPhrase, HandlingResultType
from zhifa.catalog.selectors import handling_options
from zhifa.catalog.services import handling_defaults_install, matter_handling_add
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.core.actors import SystemActor
from zhifa.core.errors import PermissionDenied, ValidationFailed
from zhifa.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def matter(world: Any) -> Any:
    handling_defaults_install(actor=SystemActor("测试"), district_id=world.district.pk)
    return MatterFactory(district=world.district, department=world.enforcement_dept, name="占道经营")


def test_a_matters_phrases_and_result_types_are_added_once_after_the_defaults(world: Any, matter: Any) -> None:
    # When the dispatcher adds the matter's own twice (an import run twice)
    written = [
        matter_handling_add(
            actor=world.user("dispatcher"),
            matter_id=matter.pk,
            phrases=["已责令搬离占道物品。"],
            result_types=[("seized", "暂扣物品", True)],
        )
        for _ in range(2)
    ]

    # Then each is there once, offered after the district's defaults, and the second time wrote nothing
    assert written == [2, 0]
    assert AuditEntry.objects.filter(action="matter.handling_add").count() == 1
    options = handling_options(district_id=world.district.pk, matter_id=matter.pk)
    assert [p.text for p in options.phrases][-1] == "已责令搬离占道物品。"
    assert HandlingPhrase.objects.filter(matter=matter).count() == 1
    assert [(t.code, t.name, t.requires_photo) for t in options.result_types][-1] == ("seized", "暂扣物品", True)
    assert HandlingResultType.objects.filter(matter=matter).count() == 1


@pytest.mark.parametrize("persona", ["officer_a", "liaison", "business_owner"])
def test_only_a_catalogue_editor_adds_them(world: Any, matter: Any, persona: str) -> None:
    before = (HandlingPhrase.objects.count(), HandlingResultType.objects.count(), AuditEntry.objects.count())
    with pytest.raises(PermissionDenied) as refused:
        matter_handling_add(actor=world.user(persona), matter_id=matter.pk, phrases=["随便写"], result_types=[])
    assert refused.value.code == "catalogue_edit_forbidden"
    assert (HandlingPhrase.objects.count(), HandlingResultType.objects.count(), AuditEntry.objects.count()) == before


def test_a_phrase_too_long_is_refused(world: Any, matter: Any) -> None:
    with pytest.raises(ValidationFailed) as refused:
        matter_handling_add(actor=world.user("dispatcher"), matter_id=matter.pk, phrases=["长" * 201], result_types=[])
    assert (refused.value.code, refused.value.message) == ("phrase_too_long", "常用语不能超过200字")
    assert HandlingPhrase.objects.filter(matter=matter).count() == 0


def test_support_sees_the_defaults_and_a_matters_own_in_the_admin(world: Any, matter: Any, sign_in: Any) -> None:
    from zhifa.org.roles import Role
    from zhifa.org.tests.factories import ProfileFactory, UserFactory

    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    ProfileFactory(user=root, district=world.district, role=Role.ADMIN, display_name="root")
    matter_handling_add(
        actor=SystemActor("测试"),
        matter_id=matter.pk,
        phrases=["已责令搬离。"],
        result_types=[("seized", "暂扣物品", True)],
    )
    admin = sign_in(root)

    defaults = admin.get("/admin/catalog/handlingresulttype/", {"matter__isempty": "1"}).content.decode()
    phrases = admin.get("/admin/catalog/handlingphrase/").content.decode()
    page = admin.get(f"/admin/catalog/matter/{matter.pk}/change/").content.decode()

    assert "已整改" in defaults and "暂扣物品" not in defaults
    assert "已到达现场核实，情况属实。" in phrases and "已责令搬离。" in phrases
    assert 'value="暂扣物品"' in page and "已责令搬离。" in page
