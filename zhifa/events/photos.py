"""Event photos: checked by content, size-limited, EXIF GPS and time read, original kept, public copy stripped.

Two steps so that a request carrying several photos writes nothing when one of them is bad:
``photo_validate`` reads and decodes the bytes and prepares the public copy without touching storage or
the database; ``photo_ingest`` then stores the original byte-for-byte (evidence, with its SHA-256 in the
hash-chained audit trail) and the re-encoded public copy.

Why by content: a file's name and its declared Content-Type are chosen by the sender. Only JPEG, PNG and
WebP are accepted — the formats phones, cameras and browsers produce and every viewer shows.
"""

import datetime as dt
import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from zhifa.core.audit import audit_record
from zhifa.core.errors import ValidationFailed
from zhifa.events.models import Event, EventPhoto

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Pillow format name → (MIME type, file extension) of the formats we accept.
ACCEPTED_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}

# Decoded size limit. A 10 MB compressed file can still expand to gigabytes of pixels (a decompression
# bomb); 100 megapixels is above any phone or camera in use and far below what would exhaust memory.
MAX_PIXELS = 100_000_000

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
    oriented = ImageOps.exif_transpose(image)
    if pillow_format == "JPEG" and oriented.mode not in {"RGB", "L", "CMYK"}:
        oriented = oriented.convert("RGB")
    elif oriented.mode == "P":
        oriented = oriented.convert("RGBA")
    clean = Image.frombytes(oriented.mode, oriented.size, oriented.tobytes())
    options: dict[str, Any] = {}
    icc = image.info.get("icc_profile")
    if icc:
        options["icc_profile"] = icc
    if pillow_format in {"JPEG", "WEBP"}:
        options["quality"] = 90
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
            # Checked from the header, before a single pixel is decoded.
            if image.width * image.height > MAX_PIXELS:
                raise _too_large(max_photo_bytes())
            image.load()  # decodes everything: a truncated or corrupt file fails here
            exif = image.getexif()
            exif_lon, exif_lat = _gps(exif)
            taken_at = _taken_at(exif)
            public_data, width, height = _public_copy(image, pillow_format)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_large(max_photo_bytes()) from exc
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


def photo_ingest(*, event: Event, upload: Any, kind: str, actor: Any) -> EventPhoto:
    """Store one photo of ``event``: the original under ``evidence/`` and the public copy under ``public/``.

    ``upload`` may be an already validated photo (callers validate every photo of a request first).
    The files are named by the original's SHA-256, never by the sender's file name. The SHA-256 goes into
    the audit chain too, so a swapped evidence file can be proven.
    """
    photo = photo_validate(upload)
    uploaded_by = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
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
        row.original.save(filename, ContentFile(photo.data), save=False)
        row.public_copy.save(filename, ContentFile(photo.public_data), save=False)
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
