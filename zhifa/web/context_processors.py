from typing import Any

from django.conf import settings
from django.http import HttpRequest


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the page frame needs: the user's post (None when the account has none) and the map settings."""
    profile = getattr(request.user, "profile", None) if request.user.is_authenticated else None
    return {
        "profile": profile,
        "tile_url": settings.ZHIFA_TILE_URL,
        "tile_attribution": settings.ZHIFA_TILE_ATTRIBUTION,
        # Read by static/web/map.js; empty tile URL means boundaries on a plain background.
        "map_config": {"tileUrl": settings.ZHIFA_TILE_URL, "tileAttribution": settings.ZHIFA_TILE_ATTRIBUTION},
    }
