"""Who may open a photo's original (the evidence, with its EXIF): every persona, on each street's event."""

import pytest

from conftest import World
from zhifa.events.permissions import can_see_photo_original
from zhifa.org.jurisdiction import Jurisdiction, jurisdiction_of
from zhifa.org.roles import Role

# persona → (may see originals of street A's events, of street B's events)
ORIGINALS_BY_PERSONA = {
    "dispatcher": (True, True),
    "street_dispatcher_a": (True, False),
    "legal_reviewer": (True, True),
    "officer_a": (False, False),
    "auxiliary_a": (False, False),
    "officer_b": (False, False),
    "liaison": (False, False),
    "leader": (False, False),
    "business_owner": (False, False),
}


def test_the_table_covers_every_persona(world: World) -> None:
    assert set(ORIGINALS_BY_PERSONA) == set(world.users)


@pytest.mark.parametrize(("persona", "expected"), ORIGINALS_BY_PERSONA.items())
def test_who_may_see_photo_originals(world: World, persona: str, expected: tuple[bool, bool]) -> None:
    # given a persona's jurisdiction
    j = jurisdiction_of(world.user(persona))

    # when asked about an event photo in street A and one in street B
    answers = (
        can_see_photo_original(j, street_id=world.street_a.pk),
        can_see_photo_original(j, street_id=world.street_b.pk),
    )

    # then only commanders of that street and the legal reviewer may
    assert answers == expected


@pytest.mark.parametrize("street", ["street_a", "street_b"])
def test_the_administrator_sees_originals_on_every_street(world: World, street: str) -> None:
    street_id = getattr(world, street).pk
    admin = Jurisdiction(user_id=1, district_id=world.district.pk, role=Role.ADMIN, street_id=None, department_id=None)

    assert can_see_photo_original(admin, street_id=street_id) is True
