"""An Open311 POST is kept as it arrived, like every intake (issue 10) — but for its api_key."""

import json
from typing import Any

import pytest
from django.test import Client

from zhifa.catalog.models import Domain
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.core.actors import SystemActor
from zhifa.core.tokens import api_token_issue
from zhifa.events.models import Event
from zhifa.integrations.tests.test_open311 import BASE, form

pytestmark = pytest.mark.django_db


def test_an_open311_post_keeps_its_form_but_not_the_api_key(world: Any) -> None:
    matter = MatterFactory(
        department=world.enforcement_dept, code="ZJ-YY-001", name="餐饮服务业油烟直排", domain=Domain.CATERING_FUMES
    )
    _, api_key = api_token_issue(actor=SystemActor("测试"), user=world.user("dispatcher"), name="市民App")

    response = Client().post(f"{BASE}/requests.json", form(matter, api_key))

    event = Event.objects.get()
    kept = json.loads(event.request_body)["fields"]
    assert response.status_code == 201
    assert ["attribute[fume_kind][]", "odour"] in kept and ["description", "饭店油烟直接排到居民楼"] in kept
    assert api_key not in event.request_body and "api_key" not in dict(kept)
