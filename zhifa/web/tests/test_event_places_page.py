"""The event page's places part: 更正位置 through the page, the 超距到场 flag shown (escaped)."""

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import POINT_IN_A, POINT_IN_B
from zhifa.events import services
from zhifa.events.models import Event
from zhifa.events.tests.conftest import jpeg_bytes, walk_to

HOSTILE = "<img src=x onerror=alert(1)>"


def test_the_command_centre_corrects_the_location_on_the_event_page(world: Any, sign_in: Any) -> None:
    event = walk_to(world, "triaged")
    client = sign_in(world.user("dispatcher"))
    page = client.get(reverse("web:event-detail", args=[event.pk])).content.decode()
    assert 'id="relocate"' in page and "更正位置" in page

    url = reverse("web:event-action", args=[event.pk, "relocate"])
    missing = client.post(url, {"lon": POINT_IN_B[0], "lat": POINT_IN_B[1]})
    assert missing.status_code == 422 and "请填写更正位置的原因" in missing.content.decode()
    done = client.post(url, {"lon": POINT_IN_B[0], "lat": POINT_IN_B[1], "address": "武林路2号", "reason": HOSTILE})
    assert done.status_code == 302
    assert Event.objects.get(pk=event.pk).street_id == world.street_b.pk

    page = client.get(reverse("web:event-detail", args=[event.pk])).content.decode()
    assert 'id="relocations"' in page and "&lt;img src=x onerror=alert(1)&gt;" in page and HOSTILE not in page


def test_officers_are_not_offered_the_correction_and_see_no_form(world: Any, sign_in: Any) -> None:
    event = walk_to(world, "dispatched")
    page = sign_in(world.user("officer_a")).get(reverse("web:event-detail", args=[event.pk])).content.decode()
    assert 'id="relocate"' not in page


def test_an_arrival_exception_is_flagged_on_the_event_page(world: Any, sign_in: Any) -> None:
    event = walk_to(world, "acknowledged")
    services.event_arrive(
        actor=world.user("officer_a"),
        event=event,
        lon=POINT_IN_A[0] + 0.005,
        lat=POINT_IN_A[1],
        exception_reason=HOSTILE,
        photo=SimpleUploadedFile("g.jpg", jpeg_bytes(), content_type="image/jpeg"),
    )
    client = sign_in(world.user("dispatcher"))
    page = client.get(reverse("web:event-detail", args=[event.pk])).content.decode()
    assert 'id="arrival-exceptions"' in page and "甲队员" in page and "签到半径300米" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and HOSTILE not in page
    # and in the command centre's row
    queue = client.get(reverse("web:command")).content.decode()
    row = queue[queue.index(f'id="event-{event.pk}"') :]
    assert "超距到场" in row[: row.index("</tr>")]


def test_the_phone_offers_the_exception_after_a_refusal_for_distance(world: Any, sign_in: Any) -> None:
    event = walk_to(world, "acknowledged")
    client = sign_in(world.user("officer_a"))
    url = reverse("web:phone-arrive", args=[event.pk])
    refused = client.post(url, {"lon": POINT_IN_A[0] + 0.005, "lat": POINT_IN_A[1]})
    assert refused.status_code == 422 and 'id="arrive-exception-form"' in refused.content.decode()
    photo = SimpleUploadedFile("g.jpg", jpeg_bytes(), content_type="image/jpeg")
    done = client.post(
        url, {"lon": POINT_IN_A[0] + 0.005, "lat": POINT_IN_A[1], "exception_reason": "在小区内", "photo": photo}
    )
    assert done.status_code == 302
    assert Event.objects.get(pk=event.pk).status == "arrived"
