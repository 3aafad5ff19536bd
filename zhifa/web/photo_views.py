"""Event photos for signed-in users: the public copy to whoever may see the event, the original (evidence)
only to ``can_see_photo_original``.

MEDIA_ROOT is never served as a directory: every file goes out through a view that checked the event's
scope first, so a photo's address is worth nothing to someone outside it.
"""

from django.core.files import File
from django.http import FileResponse, HttpRequest
from django.views.decorators.http import require_safe

from zhifa.events.models import EventPhoto
from zhifa.events.photos import (
    event_photo_get,
    photo_file_extension,
    photo_file_open,
    photo_original_download,
    photo_served_content_type,
)
from zhifa.web.pages import page_view


def _file_response(photo: EventPhoto, opened: File, *, original: bool) -> FileResponse:
    ext = photo_file_extension(photo.content_type)
    # The original keeps its evidence name (its SHA-256); the public copy is named after the event.
    filename = f"{photo.sha256}.{ext}" if original else f"{photo.event.public_no}-{photo.pk}.{ext}"
    response = FileResponse(opened, content_type=photo_served_content_type(photo), filename=filename)
    # The browser must take the declared image type, never guess another from the bytes.
    response["X-Content-Type-Options"] = "nosniff"
    # An original carries personal data (position, device): no copy is kept in any cache. A public copy
    # may stay in this user's browser only; the session decides who sees it.
    response["Cache-Control"] = "private, no-store" if original else "private, max-age=3600"
    return response


@require_safe
@page_view
def photo_public(request: HttpRequest, photo_id: int) -> FileResponse:
    """The public copy (EXIF removed) of a photo of an event the user may see."""
    photo = event_photo_get(user=request.user, photo_id=photo_id)
    return _file_response(photo, photo_file_open(photo), original=False)


@require_safe
@page_view
def photo_original(request: HttpRequest, photo_id: int) -> FileResponse:
    """The original, byte for byte as received (its SHA-256 is in the audit chain), for those who may see
    evidence; each download is audited."""
    photo, opened = photo_original_download(user=request.user, photo_id=photo_id)
    return _file_response(photo, opened, original=True)
