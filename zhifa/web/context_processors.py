from typing import Any

from django.conf import settings
from django.http import HttpRequest

from zhifa.cases.permissions import CASE_VIEWING_ROLES
from zhifa.events.permissions import COMMAND_ROLES
from zhifa.events.selectors import notification_unread_count
from zhifa.org.roles import Role


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the page frame needs: the user's post (None when the account has none) and the map settings."""
    profile = getattr(request.user, "profile", None) if request.user.is_authenticated else None
    return {
        "profile": profile,
        "unread_notifications": notification_unread_count(user=request.user) if profile is not None else 0,
        "tile_url": settings.ZHIFA_TILE_URL,
        "tile_attribution": settings.ZHIFA_TILE_ATTRIBUTION,
        # Read by static/web/map.js; empty tile URL means boundaries on a plain background.
        # Which roles see the command-centre pages and the phone in the navigation.
        # A business sees its own records only: the roster and the district map would be empty for it.
        "nav_roles": {
            "command": sorted(COMMAND_ROLES),
            "field": [Role.OFFICER, Role.AUXILIARY],
            "staff": [role for role in Role.values if role != Role.BUSINESS_OWNER],
            # The case pages (案件办理) and the legal reviewer's queue (法制审核).
            "cases": sorted(CASE_VIEWING_ROLES),
            "review": [Role.LEGAL_REVIEWER],
        },
        "map_config": {"tileUrl": settings.ZHIFA_TILE_URL, "tileAttribution": settings.ZHIFA_TILE_ATTRIBUTION},
    }
