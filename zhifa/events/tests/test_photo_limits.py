"""Photo limits (issue 9, item 7): pixels read from the header and refused before a pixel is decoded, and a
bound on photos per request — every refusal before anything is written."""

import json
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import ImageFile

from conftest import POINT_IN_A
from zhifa.core.errors import ValidationFailed
from zhifa.core.models import AuditEntry
from zhifa.events import services
from zhifa.events.models import Event, EventPhoto, EventTransition
from zhifa.events.photos import photo_validate
from zhifa.events.states import EventSource
from zhifa.events.tests.conftest import jpeg_bytes, walk_to

pytestmark = pytest.mark.django_db


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header declares ``width`` × ``height`` RGB pixels, with one scanline of data: 80 bytes
    that would make Pillow allocate width × height × 3 bytes if it were ever decoded."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" + b"\x00" * 3 * min(width, 16))
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """The size of every image Pillow decodes from here on (``ImageFile.load``, once per image)."""
    seen: list[tuple[int, int]] = []
    loaded: set[int] = set()
    original = ImageFile.ImageFile.load

    def load(self: Any) -> Any:
        if id(self) not in loaded:
            loaded.add(id(self))
            seen.append(self.size)
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return seen


def _footprint() -> tuple[int, int, int, int, list[Path]]:
    media = Path(settings.MEDIA_ROOT)
    files = sorted(media.rglob("*")) if media.exists() else []
    return (
        Event.objects.count(),
        EventTransition.objects.count(),
        EventPhoto.objects.count(),
        AuditEntry.objects.count(),
        files,
    )


def test_a_9400_square_png_is_refused_from_its_header_without_decoding(
    world: Any, decodes: list[tuple[int, int]]
) -> None:
    # Given a report with a good photo and a PNG declaring 9,400 × 9,400 pixels (88 MP, ~265 MB decoded)
    bomb = png_header_only(9400, 9400)
    before = _footprint()
    # When it is taken in
    with pytest.raises(ValidationFailed) as refused:
        services.event_intake(
            actor=world.user("dispatcher"),
            district=world.district,
            source=EventSource.API,
            description="占道经营",
            lon=POINT_IN_A[0],
            lat=POINT_IN_A[1],
            photos=[("ok.jpg", jpeg_bytes()), ("big.png", bomb)],
        )
    # Then it is refused by its pixel count, the big one never decoded, and nothing is written
    assert (refused.value.code, refused.value.details) == (
        "photo_too_large",
        {"width": 9400, "height": 9400, "max_pixels": 40_000_000},
    )
    assert refused.value.message == "照片像素过大（9400×9400，上限4000万像素），请缩小后重新上传"
    assert decodes == [(32, 24)]
    assert _footprint() == before


def test_the_pixel_limit_is_a_setting_and_its_value_is_allowed(settings: Any, decodes: list[tuple[int, int]]) -> None:
    settings.ZHIFA_PHOTO_MAX_PIXELS = 32 * 24

    at_limit = photo_validate(("a.jpg", jpeg_bytes((32, 24))))
    with pytest.raises(ValidationFailed) as refused:
        photo_validate(("b.jpg", jpeg_bytes((33, 24))))

    assert (at_limit.width, at_limit.height) == (32, 24)
    assert (refused.value.code, refused.value.details) == (
        "photo_too_large",
        {"width": 33, "height": 24, "max_pixels": 768},
    )
    assert decodes == [(32, 24)]


class _Unread:
    """An upload that records whether anyone read it."""

    def __init__(self, reads: list[str], name: str) -> None:
        self.reads, self.name, self.size = reads, name, 100

    def read(self, *args: Any) -> bytes:
        self.reads.append(self.name)
        return jpeg_bytes()


def test_more_photos_than_the_limit_are_refused_before_any_is_read(world: Any) -> None:
    reads: list[str] = []
    before = _footprint()

    with pytest.raises(ValidationFailed) as refused:
        services.event_intake(
            actor=world.user("dispatcher"),
            district=world.district,
            source=EventSource.API,
            description="占道经营",
            lon=POINT_IN_A[0],
            lat=POINT_IN_A[1],
            photos=[_Unread(reads, f"{n}.jpg") for n in range(10)],
        )

    assert (refused.value.code, refused.value.details) == (
        "photos_too_many",
        {"field": "photos", "max": 9, "count": 10},
    )
    assert refused.value.message == "一次最多上传9张照片（本次10张）"
    assert reads == []
    assert _footprint() == before


def test_nine_photos_are_taken(world: Any) -> None:
    result = services.event_intake(
        actor=world.user("dispatcher"),
        district=world.district,
        source=EventSource.API,
        description="占道经营",
        lon=POINT_IN_A[0],
        lat=POINT_IN_A[1],
        photos=[(f"{n}.jpg", jpeg_bytes((20 + n, 20))) for n in range(9)],
    )

    assert EventPhoto.objects.filter(event=result.event).count() == 9


def test_the_officers_report_with_too_many_photos_is_refused_and_writes_nothing(world: Any, settings: Any) -> None:
    settings.ZHIFA_MAX_PHOTOS_PER_REQUEST = 2
    event = walk_to(world, "arrived")
    before = _footprint()

    with pytest.raises(ValidationFailed) as refused:
        services.event_handle(
            actor=world.user("officer_a"),
            event=event,
            outcome="已劝离",
            photos=[(f"{n}.jpg", jpeg_bytes()) for n in range(3)],
        )

    assert refused.value.code == "photos_too_many"
    assert _footprint() == before
    assert Event.objects.get(pk=event.pk).status == "arrived"


def test_the_api_answers_422_for_a_header_bomb_and_for_too_many_photos(world: Any) -> None:
    client = Client()
    client.force_login(world.user("dispatcher"))
    payload = json.dumps({"description": "占道经营", "lon": POINT_IN_A[0], "lat": POINT_IN_A[1]})

    bomb = client.post(
        "/api/v1/events",
        data={"payload": payload, "photos": [SimpleUploadedFile("b.png", png_header_only(9400, 9400), "image/png")]},
    )
    many = client.post(
        "/api/v1/events",
        data={"payload": payload, "photos": [SimpleUploadedFile(f"{n}.jpg", jpeg_bytes()) for n in range(10)]},
    )

    assert (bomb.status_code, bomb.json()["code"]) == (422, "photo_too_large")
    assert (many.status_code, many.json()["code"]) == (422, "photos_too_many")
    assert Event.objects.count() == 0
