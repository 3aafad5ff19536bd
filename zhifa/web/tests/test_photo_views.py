"""Photo files for signed-in users: the public copy (no EXIF) to whoever may see the event, the original
(evidence) only to the command centre, a street dispatcher of the event's street and the legal reviewer;
another street's photo is "not found", and MEDIA_ROOT is not a directory anyone can browse."""

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from conftest import POINT_IN_A, POINT_IN_B, World
from zhifa.core.models import AuditEntry
from zhifa.events.models import Event, EventPhoto, PhotoKind
from zhifa.events.photos import photo_ingest
from zhifa.events.tests.test_photos import GPS_IN_A, photo_bytes
from zhifa.org.roles import Role
from zhifa.org.tests.factories import ProfileFactory, UserFactory

ORIGINAL = photo_bytes(gps=GPS_IN_A)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def street_dispatchers(world: World) -> None:
    """A street dispatcher of each street, next to the shared personas (added where the world lacks one)."""
    for street, name in ((world.street_a, "street_dispatcher_a"), (world.street_b, "street_dispatcher_b")):
        if name in world.users:
            continue
        user = UserFactory(username=name)
        ProfileFactory(
            user=user, district=world.district, role=Role.STREET_DISPATCHER, street=street, display_name=name
        )
        world.users[name] = user


def event_in(world: World, street: str, public_no: str) -> Event:
    lon, lat = POINT_IN_A if street == "a" else POINT_IN_B
    return Event.objects.create(
        district=world.district,
        public_no=public_no,
        source="api",
        description="占道经营",
        lon=lon,
        lat=lat,
        street=world.street_a if street == "a" else world.street_b,
        zone=world.zone_a if street == "a" else world.zone_b,
        grid=world.grid_a if street == "a" else world.grid_b,
        reporter_user=world.user("business_owner") if street == "a" else None,
        reported_at=timezone.now(),
    )


@pytest.fixture
def photo_a(world: World, media: Path, street_dispatchers: None) -> EventPhoto:
    """A photo of a street-A event reported by the business owner, with GPS in its EXIF."""
    event = event_in(world, "a", "SJ-TEST-0001")
    return photo_ingest(
        event=event, upload=("现场.jpg", ORIGINAL), kind=PhotoKind.REPORT, actor=world.user("business_owner")
    )


def public_url(photo: EventPhoto) -> str:
    return f"/photos/{photo.pk}/public/"


def original_url(photo: EventPhoto) -> str:
    return f"/photos/{photo.pk}/original/"


def body_of(response: Any) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.parametrize(
    "persona",
    ["dispatcher", "street_dispatcher_a", "officer_a", "auxiliary_a", "leader", "legal_reviewer", "business_owner"],
)
def test_whoever_sees_the_event_gets_the_public_copy_without_exif(
    client_as: Any, photo_a: EventPhoto, media: Path, persona: str
) -> None:
    response = client_as(persona).get(public_url(photo_a))

    assert response.status_code == 200
    assert (response["Content-Type"], response["X-Content-Type-Options"]) == ("image/jpeg", "nosniff")
    assert response["Cache-Control"] == "private, max-age=3600"
    data = body_of(response)
    assert data == (media / photo_a.public_copy.name).read_bytes()
    assert dict(Image.open(io.BytesIO(data)).getexif()) == {}


@pytest.mark.parametrize("persona", ["dispatcher", "street_dispatcher_a", "legal_reviewer"])
def test_command_and_legal_roles_get_the_original_byte_for_byte(
    client_as: Any, photo_a: EventPhoto, persona: str
) -> None:
    response = client_as(persona).get(original_url(photo_a))

    assert response.status_code == 200
    assert (response["Content-Type"], response["X-Content-Type-Options"]) == ("image/jpeg", "nosniff")
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == f'inline; filename="{photo_a.sha256}.jpg"'
    data = body_of(response)
    assert data == ORIGINAL
    assert hashlib.sha256(data).hexdigest() == photo_a.sha256


@pytest.mark.parametrize("persona", ["officer_a", "auxiliary_a", "leader", "business_owner"])
def test_who_may_not_see_evidence_is_refused_the_original(client_as: Any, photo_a: EventPhoto, persona: str) -> None:
    response = client_as(persona).get(original_url(photo_a))

    assert response.status_code == 403
    assert "您的岗位无权查看证据原图" in response.content.decode()


@pytest.mark.parametrize("persona", ["officer_b", "street_dispatcher_b", "liaison"])
@pytest.mark.parametrize("variant", ["public", "original"])
def test_a_photo_outside_the_users_scope_is_not_found(
    client_as: Any, photo_a: EventPhoto, persona: str, variant: str
) -> None:
    response = client_as(persona).get(f"/photos/{photo_a.pk}/{variant}/")

    assert response.status_code == 404
    assert "不存在" in response.content.decode()
    assert b"\xff\xd8" not in response.content  # no JPEG bytes in the page


@pytest.mark.parametrize("variant", ["public", "original"])
def test_an_unknown_photo_is_not_found(client_as: Any, photo_a: EventPhoto, variant: str) -> None:
    response = client_as("dispatcher").get(f"/photos/{photo_a.pk + 1}/{variant}/")

    assert response.status_code == 404
    assert "不存在" in response.content.decode()


def test_a_photo_whose_file_is_gone_is_not_found(client_as: Any, photo_a: EventPhoto, media: Path) -> None:
    (media / photo_a.public_copy.name).unlink()

    assert client_as("dispatcher").get(public_url(photo_a)).status_code == 404


@pytest.mark.parametrize("variant", ["public", "original"])
def test_anonymous_visitors_are_sent_to_login(client: Client, photo_a: EventPhoto, variant: str) -> None:
    response = client.get(f"/photos/{photo_a.pk}/{variant}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_only_get_and_head_are_answered(client_as: Any, photo_a: EventPhoto) -> None:
    assert client_as("dispatcher").post(public_url(photo_a)).status_code == 405


def test_a_png_is_served_as_png(client_as: Any, world: World, media: Path, street_dispatchers: None) -> None:
    photo = photo_ingest(
        event=event_in(world, "a", "SJ-TEST-0002"),
        upload=("a.png", photo_bytes("PNG")),
        kind=PhotoKind.REPORT,
        actor=world.user("officer_a"),
    )

    response = client_as("dispatcher").get(public_url(photo))

    assert response["Content-Type"] == "image/png"
    assert body_of(response).startswith(b"\x89PNG")


def test_media_root_is_not_served_as_a_directory(client_as: Any, photo_a: EventPhoto) -> None:
    client = client_as("dispatcher")

    for name in (photo_a.original.name, photo_a.public_copy.name):
        assert client.get(f"/{name}").status_code == 404
        assert client.get(f"/media/{name}").status_code == 404


def test_event_page_links_the_public_copy_and_offers_the_original_to_the_command_centre(
    client_as: Any, photo_a: EventPhoto
) -> None:
    page = client_as("dispatcher").get(f"/events/{photo_a.event_id}/").content.decode()

    assert f'<img src="{public_url(photo_a)}"' in page
    assert f'href="{original_url(photo_a)}"' in page


def test_event_page_shows_an_officer_the_public_copy_only(client_as: Any, photo_a: EventPhoto) -> None:
    page = client_as("officer_a").get(f"/events/{photo_a.event_id}/").content.decode()

    assert f'<img src="{public_url(photo_a)}"' in page
    assert original_url(photo_a) not in page


# Each download of an original (evidence) writes an audit entry (issue 9); the public copy, a refusal and a
# missing file write none.
DOWNLOAD = "photo.original_download"


@pytest.mark.parametrize("persona", ["dispatcher", "street_dispatcher_a", "legal_reviewer"])
def test_a_download_of_the_original_is_audited(client_as: Any, world: World, photo_a: EventPhoto, persona: str) -> None:
    # When a role that may see evidence downloads the original
    response = client_as(persona).get(original_url(photo_a))
    assert response.status_code == 200
    body_of(response)
    # Then one entry says who took which photo of which event, from the web
    (entry,) = AuditEntry.objects.filter(action=DOWNLOAD)
    user = world.user(persona)
    assert (entry.actor_id, entry.actor_label, entry.client, entry.district_id) == (
        user.pk,
        persona,
        "web",
        world.district.pk,
    )
    assert (entry.object_type, entry.object_id) == ("events.eventphoto", str(photo_a.pk))
    assert entry.after == {"event_id": photo_a.event_id, "sha256": photo_a.sha256}
    assert entry.request_id != ""


def test_the_public_copy_is_not_audited_as_a_download(client_as: Any, photo_a: EventPhoto) -> None:
    assert client_as("dispatcher").get(public_url(photo_a)).status_code == 200
    assert AuditEntry.objects.filter(action=DOWNLOAD).count() == 0


@pytest.mark.parametrize(("persona", "status"), [("officer_a", 403), ("officer_b", 404)])
def test_a_refused_download_is_not_audited(client_as: Any, photo_a: EventPhoto, persona: str, status: int) -> None:
    assert client_as(persona).get(original_url(photo_a)).status_code == status
    assert AuditEntry.objects.filter(action=DOWNLOAD).count() == 0


def test_a_missing_original_is_not_audited(client_as: Any, photo_a: EventPhoto, media: Path) -> None:
    (media / photo_a.original.name).unlink()
    assert client_as("dispatcher").get(original_url(photo_a)).status_code == 404
    assert AuditEntry.objects.filter(action=DOWNLOAD).count() == 0
