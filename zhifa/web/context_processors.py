from typing import Any

from django.conf import settings
from django.http import HttpRequest


def shell(request: HttpRequest) -> dict[str, Any]:
    profile = getattr(request.user, "profile", None) if request.user.is_authenticated else None
    return {
        "profile": profile,
        "tile_url": settings.ZHIFA_TILE_URL,
        "tile_attribution": settings.ZHIFA_TILE_ATTRIBUTION,
    }
