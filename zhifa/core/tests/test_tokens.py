import datetime as dt
from typing import Any

import pytest
import time_machine

from zhifa.core.actors import SystemActor
from zhifa.core.models import ApiToken
from zhifa.core.tokens import api_token_issue, api_token_user

pytestmark = pytest.mark.django_db


def test_token_use_is_recorded_at_most_once_a_minute(django_user_model: Any) -> None:
    user = django_user_model.objects.create_user("machine", password="x-very-long")
    token, key = api_token_issue(actor=SystemActor("测试"), user=user, name="对接")
    start = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        assert api_token_user(key) == user
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        api_token_user(key)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == start
    with time_machine.travel(start + dt.timedelta(seconds=90), tick=False):
        api_token_user(key)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == start + dt.timedelta(seconds=90)
    assert api_token_user("zf_not-a-key") is None
