"""Event photos: checked by content, size-limited, EXIF GPS and time read, original kept, public copy stripped.

Two steps so that a request carrying several photos writes nothing when one of them is bad:
``photo_validate`` reads and decodes the bytes and prepares the public copy without touching storage or
the database; ``photo_ingest`` then stores the original byte-for-byte (evidence, with its SHA-256 in the
hash-chained audit trail) and the re-encoded public copy.

Why by content: a file's name and its declared Content-Type are chosen by the sender. Only JPEG, PNG and
WebP are accepted — the formats phones, cameras and browsers produce and every viewer shows.

Storage and database agree: the files are written before the row that names them commits, and
``photo_files_removed_on_rollback`` (the general guard of ``zhifa.core.files``) deletes them again when that
transaction rolls back.

Reading back: ``event_photo_get`` finds a photo of an event the user may see (the event selectors' scope);
its original — the evidence, with the EXIF the public copy drops — only for
``permissions.can_see_photo_original``.
"""

import datetime as dt
import hashlib
import io
import logging
import threading
import warnings
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files import File
from django.db import transaction
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from zhifa.core.actors import Actor, actor_user
from zhifa.core.audit import audit_record
from zhifa.core.errors import NotFound, PermissionDenied, ValidationFailed
from zhifa.core.files import file_store, files_removed_on_rollback
from zhifa.events import selectors
from zhifa.events.models import Event, EventPhoto
from zhifa.events.permissions import can_see_photo_original
from zhifa.org.jurisdiction import jurisdiction_of

logger = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Pillow format name → (MIME type, file extension) of the formats we accept.
ACCEPTED_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
EXTENSION_BY_CONTENT_TYPE = dict(ACCEPTED_FORMATS.values())

# Decoded size limit (``ZHIFA_PHOTO_MAX_PIXELS``), read from the header before a pixel is decoded. A few
# hundred KB of PNG can declare 9,400 × 9,400 pixels (issue 9: 1.4 GB and seconds of CPU to decode and
# re-encode); 40 megapixels is above the 12–24 MP photos phones and cameras send (a 48 MP sensor's full mode
# is the exception, and the phone can send it binned) and costs ~0.5 GB at most while it is checked.
DEFAULT_MAX_PIXELS = 40_000_000
# Photos in one request (``ZHIFA_MAX_PHOTOS_PER_REQUEST``): the phone's and the hotline's picker send what
# the person chose, and nine is the most a report shows (a 3 × 3 grid); each costs up to ~1 s to check.
DEFAULT_MAX_PHOTOS_PER_REQUEST = 9
# Photos decoded at once in one process (``ZHIFA_PHOTO_DECODE_SLOTS``): the memory a process needs for
# photos is this many times one photo's, however many requests bring photos at the same time.
DEFAULT_DECODE_SLOTS = 2

# Files people commonly send that are not photos we accept, recognised by their first bytes so that the
# sender hears "wrong type" rather than "unreadable". Pillow cannot open PDF or HEIC at all.
_KNOWN_UNSUPPORTED_MAGIC = (
    (b"%PDF-", "PDF"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif"}


@dataclass(frozen=True)
class ValidatedPhoto:
    """A photo that passed every check, ready to be stored; nothing has been written yet."""

    data: bytes  # the original bytes, exactly as received
    sha256: str
    content_type: str
    extension: str
    width: int  # as displayed, i.e. after applying the EXIF orientation
    height: int
    exif_lon: float | None
    exif_lat: float | None
    exif_taken_at: dt.datetime | None
    public_data: bytes  # re-encoded without EXIF or other metadata

    @property
    def size(self) -> int:
        return len(self.data)


def max_photo_bytes() -> int:
    return int(getattr(settings, "ZHIFA_PHOTO_MAX_BYTES", 10 * 1024 * 1024))


def max_photo_pixels() -> int:
    return int(getattr(settings, "ZHIFA_PHOTO_MAX_PIXELS", DEFAULT_MAX_PIXELS))


def max_photos_per_request() -> int:
    return int(getattr(settings, "ZHIFA_MAX_PHOTOS_PER_REQUEST", DEFAULT_MAX_PHOTOS_PER_REQUEST))


_decode_slots = threading.BoundedSemaphore(
    max(1, int(getattr(settings, "ZHIFA_PHOTO_DECODE_SLOTS", DEFAULT_DECODE_SLOTS)))
)


def _too_many_pixels(width: int, height: int, limit: int) -> ValidationFailed:
    return ValidationFailed(
        f"照片像素过大（{width}×{height}，上限{limit // 10_000}万像素），请缩小后重新上传",
        code="photo_too_large",
        details={"width": width, "height": height, "max_pixels": limit},
    )


def _too_large(limit: int, size: int | None = None) -> ValidationFailed:
    return ValidationFailed(
        f"照片超过大小上限（{limit // (1024 * 1024)} MB）",
        code="photo_too_large",
        details={"max_bytes": limit, **({"size": size} if size is not None else {})},
    )


def _read_bounded(upload: Any) -> tuple[str, bytes]:
    """The upload's name and bytes, refusing an oversized file before reading (or decoding) it."""
    limit = max_photo_bytes()
    if isinstance(upload, tuple):
        name, data = upload
        if len(data) > limit:
            raise _too_large(limit, len(data))
        return str(name), bytes(data)
    name = str(getattr(upload, "name", "") or "")
    declared = getattr(upload, "size", None)
    if declared is not None and declared > limit:
        raise _too_large(limit, int(declared))
    if hasattr(upload, "seek"):
        upload.seek(0)
    # Read one byte past the limit: the declared size of a stream can be absent or wrong.
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _too_large(limit)
    return name, data


def _sniff_unsupported(data: bytes) -> str | None:
    for magic, label in _KNOWN_UNSUPPORTED_MAGIC:
        if data.startswith(magic):
            return label
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "HEIC/AVIF"
    return None


def _unsupported(label: str) -> ValidationFailed:
    return ValidationFailed(
        f"不支持的图片类型（{label}），请上传 JPEG、PNG 或 WebP 照片",
        code="photo_type_unsupported",
        details={"detected": label, "accepted": sorted(ACCEPTED_FORMATS)},
    )


def _unreadable(name: str) -> ValidationFailed:
    return ValidationFailed(
        f"文件{f'“{name}”' if name else ''}不是可读取的图片", code="photo_unreadable", details={"name": name}
    )


def _to_degrees(value: Any) -> float:
    """EXIF GPS degrees/minutes/seconds (three rationals) → decimal degrees."""
    parts = [float(v) for v in value] + [0.0, 0.0]
    return parts[0] + parts[1] / 60 + parts[2] / 3600


def _gps(exif: Image.Exif) -> tuple[float | None, float | None]:
    """The photo's position in decimal degrees. Phone GNSS fixes are WGS-84, as we store them.

    A missing, malformed, out-of-range or (0, 0) position — what some cameras write without a fix — is
    treated as absent: EXIF is a hint for the officer, never a reason to refuse a photo.
    """
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    try:
        lat_ref = str(gps.get(ExifTags.GPS.GPSLatitudeRef, "N")).strip().upper()[:1]
        lon_ref = str(gps.get(ExifTags.GPS.GPSLongitudeRef, "E")).strip().upper()[:1]
        lat = _to_degrees(gps[ExifTags.GPS.GPSLatitude])
        lon = _to_degrees(gps[ExifTags.GPS.GPSLongitude])
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None, None
    if lat_ref == "S":
        lat = -lat
    if lon_ref == "W":
        lon = -lon
    # NaN (a zero denominator) fails every comparison and so lands here too.
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None, None
    return round(lon, 7), round(lat, 7)


def _taken_at(exif: Image.Exif) -> dt.datetime | None:
    """DateTimeOriginal, in the offset the camera recorded, else as Asia/Shanghai local time."""
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    raw = sub.get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime)
    if not raw:
        return None
    try:
        naive = dt.datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = str(sub.get(ExifTags.Base.OffsetTimeOriginal) or "").strip("\x00 ")
    if offset:
        try:
            return dt.datetime.fromisoformat(naive.isoformat() + offset)
        except ValueError:
            pass
    return naive.replace(tzinfo=SHANGHAI)


def _public_copy(image: Image.Image, pillow_format: str) -> tuple[bytes, int, int]:
    """Re-encode with the orientation applied and no EXIF (GPS, device serial…) or text chunks.

    The pixels are copied into a fresh image so that nothing of the source's ``info`` (exif, xmp, comments)
    can travel along; the ICC profile is kept because it is colour data, not data about the person.
    """
    # In place: a transposed copy beside the decoded image would be one more full-size buffer.
    ImageOps.exif_transpose(image, in_place=True)
    oriented = image
    if pillow_format == "JPEG" and oriented.mode not in {"RGB", "L", "CMYK"}:
        oriented = oriented.convert("RGB")
    elif oriented.mode == "P":
        oriented = oriented.convert("RGBA")
    # Pasted into a new image, which starts with no ``info``: one copy of the pixels, where going through
    # ``tobytes`` made two and took three times as long (40 MP: 1.0 s → 0.15 s).
    clean = Image.new(oriented.mode, oriented.size)
    clean.paste(oriented)
    options: dict[str, Any] = {}
    icc = image.info.get("icc_profile")
    if icc:
        options["icc_profile"] = icc
    if pillow_format in {"JPEG", "WEBP"}:
        options["quality"] = 90
    elif pillow_format == "PNG":
        # zlib's fastest level: on photo-like 40 MP content the default (6) took 17 s against 2.3 s, for a
        # file no smaller than level 3's; the original keeps the sender's compression anyway.
        options["compress_level"] = 1
    buffer = io.BytesIO()
    clean.save(buffer, format=pillow_format, **options)
    return buffer.getvalue(), clean.width, clean.height


def photo_validate(upload: Any) -> ValidatedPhoto:
    """Check one photo by its content and prepare it for storage; writes nothing.

    ``upload`` is a Django ``UploadedFile`` (or any file-like object with a name), a ``(name, bytes)``
    pair, or an already validated photo (returned as it is). Raises ``ValidationFailed`` with code ``photo_too_large``, ``photo_type_unsupported`` or
    ``photo_unreadable``.
    """
    if isinstance(upload, ValidatedPhoto):
        return upload  # already checked: a caller validated every photo of its request first
    name, data = _read_bounded(upload)
    if not data:
        raise _unreadable(name)
    sniffed = _sniff_unsupported(data)
    if sniffed:
        raise _unsupported(sniffed)
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that; a bomb is an error here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            pillow_format = image.format or ""
            if pillow_format not in ACCEPTED_FORMATS:
                raise _unsupported(pillow_format or "未知")
            # Checked from the header (``Image.open`` reads only that), before a single pixel is decoded.
            pixel_limit = max_photo_pixels()
            if image.width * image.height > pixel_limit:
                raise _too_many_pixels(image.width, image.height, pixel_limit)
            with _decode_slots:
                image.load()  # decodes everything: a truncated or corrupt file fails here
                exif = image.getexif()
                exif_lon, exif_lat = _gps(exif)
                taken_at = _taken_at(exif)
                public_data, width, height = _public_copy(image, pillow_format)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's own guard (``Image.MAX_IMAGE_PIXELS``), for a limit set above it.
        raise ValidationFailed(
            "照片疑似“解压炸弹”（声明的像素远超实际照片），已拒收", code="photo_too_large", details={}
        ) from exc
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _unreadable(name) from exc
    content_type, extension = ACCEPTED_FORMATS[pillow_format]
    return ValidatedPhoto(
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        content_type=content_type,
        extension=extension,
        width=width,
        height=height,
        exif_lon=exif_lon,
        exif_lat=exif_lat,
        exif_taken_at=taken_at,
        public_data=public_data,
    )


def photos_validate(uploads: Iterable[Any]) -> list[ValidatedPhoto]:
    """Every photo of one request checked (``photo_validate``), after their number: more than
    ``ZHIFA_MAX_PHOTOS_PER_REQUEST`` is refused (``photos_too_many``) before any of them is read."""
    listed = list(uploads)
    limit = max_photos_per_request()
    if len(listed) > limit:
        raise ValidationFailed(
            f"一次最多上传{limit}张照片（本次{len(listed)}张）",
            code="photos_too_many",
            details={"field": "photos", "max": limit, "count": len(listed)},
        )
    return [photo_validate(upload) for upload in listed]


# --- Storage and database agree ---------------------------------------------------------------------
#
# The files are written before the row that names them is committed: the bytes must be on disk when the
# row becomes visible (the reverse order could lose evidence whose SHA-256 is already in the audit chain).
# When that transaction rolls back, the files would stay behind with no row — a citizen's photo and its
# GPS position kept with no record of it. The project's one guard (``zhifa.core.files``) removes them.


def photo_files_removed_on_rollback() -> AbstractContextManager[None]:
    """Delete the photo files written inside the block whose rows did not survive it: the general guard
    ``zhifa.core.files.files_removed_on_rollback`` (it covers every file stored in the block, photos among
    them), under the name the event services use. Put it around the outermost transaction of a service that
    ingests photos::

        with photos.photo_files_removed_on_rollback(), audited_transaction():
            ...photo_ingest(...)...
    """
    return files_removed_on_rollback()


def photo_ingest(*, event: Event, upload: Any, kind: str, actor: Actor) -> EventPhoto:
    """Store one photo of ``event``: the original under ``evidence/`` and the public copy under ``public/``.

    ``upload`` may be an already validated photo (callers validate every photo of a request first).
    The files are named by the original's SHA-256, never by the sender's file name. The SHA-256 goes into
    the audit chain too, so a swapped evidence file can be proven.

    If this function fails, its files are deleted. If the caller's transaction rolls back later, they are
    deleted only when the caller wraps that transaction in ``photo_files_removed_on_rollback``.
    """
    photo = photo_validate(upload)
    uploaded_by = actor_user(actor)
    with photo_files_removed_on_rollback(), transaction.atomic():
        row = EventPhoto(
            event=event,
            kind=kind,
            sha256=photo.sha256,
            content_type=photo.content_type,
            size=photo.size,
            width=photo.width,
            height=photo.height,
            exif_lon=photo.exif_lon,
            exif_lat=photo.exif_lat,
            exif_taken_at=photo.exif_taken_at,
            uploaded_by=uploaded_by,
        )
        filename = f"{photo.sha256}.{photo.extension}"
        file_store(row.original, filename, photo.data)
        file_store(row.public_copy, filename, photo.public_data)
        row.save()
        audit_record(
            actor=actor,
            action="event.photo_ingest",
            obj=row,
            district_id=event.district_id,
            after={
                "event_id": event.pk,
                "kind": kind,
                "sha256": photo.sha256,
                "size": photo.size,
                "content_type": photo.content_type,
                "original": row.original.name,
            },
        )
    return row


# --- Reading photos back -----------------------------------------------------------------------------


def event_photo_get(*, user: Any, photo_id: int, original: bool = False) -> EventPhoto:
    """A photo of an event in the user's scope (the event selectors' rule). Out of scope is "not found", as
    for events: nobody learns that another street's photo exists. ``original`` also checks
    ``permissions.can_see_photo_original``."""
    in_scope = selectors.event_list(user=user).values("pk")
    photo = EventPhoto.objects.select_related("event").filter(pk=photo_id, event__in=in_scope).first()
    if photo is None:
        raise NotFound("照片不存在或不在您的管辖范围内", code="photo_not_found", details={"id": photo_id})
    if original and not can_see_photo_original(jurisdiction_of(user), street_id=photo.event.street_id):
        raise PermissionDenied("您的岗位无权查看证据原图，请查看公开图", code="photo_original_denied")
    return photo


def photo_original_download(*, user: Any, photo_id: int) -> tuple[EventPhoto, File]:
    """The original (evidence) of a photo, opened for ``user`` if ``event_photo_get`` lets them see it, and
    an audit entry that they took a copy (issue 9: a download of evidence is recorded — who, which photo,
    when, from which request). The entry commits before the first byte goes out; a refusal or a missing
    file writes nothing."""
    photo = event_photo_get(user=user, photo_id=photo_id, original=True)
    opened = photo_file_open(photo, original=True)
    with transaction.atomic():
        audit_record(
            actor=user,
            action="photo.original_download",
            obj=photo,
            district_id=photo.event.district_id,
            after={"event_id": photo.event_id, "sha256": photo.sha256},
        )
    return photo, opened


def photo_file_extension(content_type: str) -> str:
    return EXTENSION_BY_CONTENT_TYPE.get(content_type, "bin")


def photo_served_content_type(photo: EventPhoto) -> str:
    """The stored type, which ``photo_validate`` read from the content; anything else (a row edited by hand)
    is served as bytes, never as something a browser would render as a page."""
    return photo.content_type if photo.content_type in EXTENSION_BY_CONTENT_TYPE else "application/octet-stream"


def photo_file_open(photo: EventPhoto, *, original: bool = False) -> File:
    """The public copy's file (or the original's), opened for reading; a missing file is "not found"."""
    field_file = photo.original if original else photo.public_copy
    try:
        return field_file.storage.open(field_file.name or "", "rb")
    except OSError as exc:
        logger.error("photo %s: its %s file is missing", photo.pk, "original" if original else "public")
        raise NotFound("照片文件不存在", code="photo_file_missing", details={"id": photo.pk}) from exc
