"""Who acts: a step only a person may take refuses a process and an anonymous caller with its own code."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from zhifa.core.actors import SystemActor, actor_person, actor_user
from zhifa.core.errors import PermissionDenied


@pytest.mark.django_db
def test_a_person_is_the_actor_and_a_process_or_anonymous_caller_is_refused() -> None:
    user = get_user_model().objects.create(username="someone")
    assert actor_person(user) == user == actor_user(user)
    for actor in (SystemActor("信用修复（系统）"), AnonymousUser()):
        with pytest.raises(PermissionDenied) as refused:
            actor_person(actor)
        assert (refused.value.code, refused.value.message) == ("person_required", "此操作须由本人登录后办理")
        assert actor_user(actor) is None
