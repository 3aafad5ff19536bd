from typing import Any

import pytest

from conftest import World
from zhifa.org.roles import Role
from zhifa.org.tests.factories import ProfileFactory, UserFactory


@pytest.fixture
def administrator(world: World) -> Any:
    """A system administrator: superuser and staff (the admin site), with the district-wide admin post."""
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    ProfileFactory(user=user, district=world.district, role=Role.ADMIN, display_name="root")
    world.users["root"] = user
    return user
