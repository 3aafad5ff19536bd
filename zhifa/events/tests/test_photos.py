"""Photos: checked by content, size-limited, EXIF read, original kept byte-for-byte, public copy stripped."""

import datetime as dt
import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import ExifTags, Image
from PIL.TiffImagePlugin import IFDRational

from conftest import POINT_IN_A, World
from zhifa.core.actors import SystemActor
from zhifa.core.errors import ValidationFailed
from zhifa.core.models import AuditEntry
from zhifa.events.models import Event, EventPhoto, PhotoKind
from zhifa.events.photos import SHANGHAI, photo_ingest, photo_validate


def dms(degrees: int, minutes: int, seconds_hundredths: int) -> tuple[IFDRational, IFDRational, IFDRational]:
    return (IFDRational(degrees, 1), IFDRational(minutes, 1), IFDRational(seconds_hundredths, 100))


def photo_bytes(
    fmt: str = "JPEG",
    *,
    size: tuple[int, int] = (40, 20),
    gps: dict[int, Any] | None = None,
    taken: str | None = "2026:05:04 09:30:15",
    offset: str | None = None,
    orientation: int | None = None,
    mode: str = "RGB",
) -> bytes:
    """An image built in memory with a real EXIF block (GPS IFD, DateTimeOriginal, orientation)."""
    image = Image.new(mode, size, (200, 10, 10) if mode == "RGB" else 1)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestPhone"
    if gps is not None:
        exif[ExifTags.IFD.GPSInfo] = gps
    if taken is not None:
        exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = taken
    if offset is not None:
        exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.OffsetTimeOriginal] = offset
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, exif=exif)
    return buffer.getvalue()


# 30°18'18.00"N 120°06'18.00"E = (120.105, 30.305), the conftest's point in street A.
GPS_IN_A = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: dms(30, 18, 1800),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: dms(120, 6, 1800),
}


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def make_event(world: World) -> Event:
    lon, lat = POINT_IN_A
    return Event.objects.create(
        district=world.district,
        public_no="SJ-TEST-0001",
        source="api",
        description="占道经营",
        lon=lon,
        lat=lat,
        street=world.street_a,
        zone=world.zone_a,
        grid=world.grid_a,
        reported_at=timezone.now(),
    )


@pytest.mark.parametrize(
    ("fmt", "content_type"), [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")]
)
def test_accepted_formats_are_read_with_their_exif(fmt: str, content_type: str) -> None:
    data = photo_bytes(fmt, gps=GPS_IN_A)

    photo = photo_validate(("scene.bin", data))

    assert photo.content_type == content_type
    assert (photo.exif_lon, photo.exif_lat) == (120.105, 30.305)
    assert photo.exif_taken_at == dt.datetime(2026, 5, 4, 9, 30, 15, tzinfo=SHANGHAI)
    assert photo.sha256 == hashlib.sha256(data).hexdigest()
    assert photo.data == data
    assert (photo.width, photo.height, photo.size) == (40, 20, len(data))


def test_southern_and_western_references_make_negative_degrees() -> None:
    gps = {
        ExifTags.GPS.GPSLatitudeRef: "S",
        ExifTags.GPS.GPSLatitude: dms(33, 52, 4000),
        ExifTags.GPS.GPSLongitudeRef: "W",
        ExifTags.GPS.GPSLongitude: dms(70, 30, 0),
    }

    photo = photo_validate(("x.jpg", photo_bytes(gps=gps)))

    assert photo.exif_lat == round(-(33 + 52 / 60 + 40 / 3600), 7)
    assert photo.exif_lon == -70.5


def test_recorded_offset_wins_over_local_time() -> None:
    photo = photo_validate(("x.jpg", photo_bytes(offset="+00:00")))

    assert photo.exif_taken_at == dt.datetime(2026, 5, 4, 9, 30, 15, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "gps",
    [
        None,
        {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: dms(30, 0, 0)},  # no longitude
        {  # what cameras without a fix write
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: dms(0, 0, 0),
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: dms(0, 0, 0),
        },
    ],
)
def test_missing_or_empty_gps_is_absent_not_an_error(gps: dict[int, Any] | None) -> None:
    photo = photo_validate(("x.jpg", photo_bytes(gps=gps, taken=None)))

    assert (photo.exif_lon, photo.exif_lat, photo.exif_taken_at) == (None, None, None)


def test_public_copy_has_no_exif_and_is_turned_upright() -> None:
    # Orientation 6: the camera was turned; the stored pixels are 40×20, the scene is 20×40.
    data = photo_bytes(gps=GPS_IN_A, orientation=6)

    photo = photo_validate(("x.jpg", data))

    public = Image.open(io.BytesIO(photo.public_data))
    assert dict(public.getexif()) == {}
    assert "exif" not in public.info
    assert public.size == (20, 40)
    assert (photo.width, photo.height) == (20, 40)
    assert Image.open(io.BytesIO(photo.data)).getexif()[ExifTags.Base.Make] == "TestPhone"


def test_ingest_keeps_the_original_bytes_and_writes_a_stripped_public_copy(world: World, media: Path) -> None:
    event = make_event(world)
    data = photo_bytes(gps=GPS_IN_A)
    upload = SimpleUploadedFile("现场.JPG", data, content_type="application/octet-stream")
    audits_before = AuditEntry.objects.count()

    row = photo_ingest(event=event, upload=upload, kind=PhotoKind.REPORT, actor=world.user("officer_a"))

    row.refresh_from_db()
    digest = hashlib.sha256(data).hexdigest()
    assert row.sha256 == digest
    assert row.original.name.startswith("evidence/") and row.original.name.endswith(f"{digest}.jpg")
    assert row.public_copy.name.startswith("public/")
    assert (media / row.original.name).read_bytes() == data
    public = Image.open(media / row.public_copy.name)
    assert dict(public.getexif()) == {}
    assert (row.content_type, row.size, row.width, row.height) == ("image/jpeg", len(data), 40, 20)
    assert (row.exif_lon, row.exif_lat) == (120.105, 30.305)
    assert row.exif_taken_at == dt.datetime(2026, 5, 4, 1, 30, 15, tzinfo=dt.UTC)
    assert row.uploaded_by == world.user("officer_a")
    audit = AuditEntry.objects.get(seq=audits_before + 1)
    assert (audit.action, audit.after["sha256"], audit.district_id) == (
        "event.photo_ingest",
        digest,
        world.district.pk,
    )


def test_ingest_accepts_an_already_validated_photo_from_a_device(world: World, media: Path) -> None:
    event = make_event(world)
    photo = photo_validate(("alert.png", photo_bytes("PNG")))

    row = photo_ingest(event=event, upload=photo, kind=PhotoKind.ALERT, actor=SystemActor("设备CAM-01"))

    assert (row.kind, row.content_type, row.uploaded_by) == (PhotoKind.ALERT, "image/png", None)
    assert AuditEntry.objects.get(action="event.photo_ingest").actor_label == "设备CAM-01"


def _gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (4, 4)).save(buffer, format="GIF")
    return buffer.getvalue()


def _bmp() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="BMP")
    return buffer.getvalue()


def _tiff() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="TIFF")
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64


@pytest.mark.parametrize(
    ("name", "data", "detected"),
    [
        ("a.gif", _gif(), "GIF"),
        ("a.jpg", _bmp(), "BMP"),
        ("a.pdf", PDF, "PDF"),
        ("IMG_0001.HEIC", HEIC, "HEIC/AVIF"),
        ("scan.jpg", _tiff(), "TIFF"),
    ],
)
def test_other_formats_are_refused_by_content(name: str, data: bytes, detected: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        photo_validate((name, data))

    assert caught.value.code == "photo_type_unsupported"
    assert caught.value.details["detected"] == detected


@pytest.mark.parametrize(
    "data",
    [
        b"this is not an image at all",
        b"",
        photo_bytes()[:200],  # a JPEG cut off in the middle
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,  # a PNG signature with nothing behind it
    ],
    ids=["text", "empty", "truncated-jpeg", "broken-png"],
)
def test_a_file_named_jpg_that_is_no_image_is_unreadable(data: bytes) -> None:
    with pytest.raises(ValidationFailed) as caught:
        photo_validate(("photo.jpg", data))

    assert caught.value.code == "photo_unreadable"


def test_oversized_file_is_refused_before_it_is_read(settings: Any) -> None:
    settings.ZHIFA_PHOTO_MAX_BYTES = 1000

    class Unreadable(io.BytesIO):
        size = 1001
        name = "big.jpg"

        def read(self, *args: Any) -> bytes:
            raise AssertionError("read although the declared size is over the limit")

    with pytest.raises(ValidationFailed) as caught:
        photo_validate(Unreadable())

    assert caught.value.code == "photo_too_large"
    assert caught.value.details == {"max_bytes": 1000, "size": 1001}


def test_oversized_stream_without_a_declared_size_is_refused(settings: Any) -> None:
    data = photo_bytes(size=(400, 400))
    settings.ZHIFA_PHOTO_MAX_BYTES = len(data) - 1

    with pytest.raises(ValidationFailed) as caught:
        photo_validate(io.BytesIO(data))

    assert caught.value.code == "photo_too_large"


def test_decompression_bomb_is_refused_from_its_header() -> None:
    # 12 000 × 12 000 of one colour compresses to a few hundred kB but would decode to 432 MB.
    buffer = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(buffer, format="PNG")

    with pytest.raises(ValidationFailed) as caught:
        photo_validate(("bomb.png", buffer.getvalue()))

    assert caught.value.code == "photo_too_large"


def test_refused_photo_writes_nothing(world: World, media: Path) -> None:
    event = make_event(world)
    audits_before = AuditEntry.objects.count()

    with pytest.raises(ValidationFailed):
        photo_ingest(event=event, upload=("x.jpg", b"nope"), kind=PhotoKind.REPORT, actor=world.user("officer_a"))

    assert EventPhoto.objects.count() == 0
    assert AuditEntry.objects.count() == audits_before
    assert list(media.rglob("*")) == []
