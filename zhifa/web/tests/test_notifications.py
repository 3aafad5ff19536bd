from typing import Any

import pytest
from django.test import Client

from zhifa.events.models import Notification
from zhifa.events.tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_own_notifications_are_listed_with_an_unread_badge_and_can_be_marked_read(world: Any) -> None:
    # given: two notifications for the street dispatcher role-holder (officer_a here) and one for officer_b
    event = EventFactory(district=world.district, street=world.street_a, zone=world.zone_a, grid=world.grid_a)
    mine = [
        Notification.objects.create(
            district=world.district,
            user=world.user("officer_a"),
            event=event,
            message=f"事件 {event.public_no} 响应超时，请督办（{n}）",
        )
        for n in (1, 2)
    ]
    Notification.objects.create(district=world.district, user=world.user("officer_b"), message="别人的通知")
    client = _client(world.user("officer_a"))

    page = client.get("/notifications/").content.decode()

    assert page.count("响应超时，请督办") == 2
    assert "别人的通知" not in page
    assert '<span class="badge">2</span>' in page
    assert "全部标为已读（2）" in page

    client.post("/notifications/read/")

    assert Notification.objects.filter(pk__in=[n.pk for n in mine], read_at__isnull=True).count() == 0
    assert Notification.objects.get(message="别人的通知").read_at is None
    assert '<span class="badge">' not in client.get("/notifications/").content.decode()


def test_marking_read_needs_a_post(world: Any) -> None:
    assert _client(world.user("officer_a")).get("/notifications/read/").status_code == 405
