"""Who acts: a signed-in user (through a page, the API or a token), or a named system process.

A system process — the automatic triage, the escalation worker, a management command, an authenticated
device — has no post and no jurisdiction: it runs with the server's own rights, and the timeline and the
audit chain show its name. It is a ``SystemActor``, never a bare string, so that a service can tell it from
a user by type, and a name typed where a user was meant fails at once (``is_system``).
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from typing_extensions import TypeIs

from zhifa.core.errors import PermissionDenied


@dataclass(frozen=True)
class SystemActor:
    """A named system process; ``name`` is what the timeline and the audit chain show (≤ 150 characters)."""

    name: str

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("a system actor needs a name")

    def __str__(self) -> str:
        return self.name


# ``AnonymousUser`` is in the union only because a request's ``user`` is typed so; every service refuses
# an anonymous caller through its jurisdiction check (it has no post).
type Actor = User | AnonymousUser | SystemActor


def is_system(actor: Any) -> TypeIs[SystemActor]:
    """Whether ``actor`` is a system process; a bare string (the old spelling) is refused loudly."""
    if isinstance(actor, str):
        raise TypeError(f"actor {actor!r}: a system process acts as SystemActor({actor!r}), not as a string")
    return isinstance(actor, SystemActor)


def actor_user(actor: Actor) -> User | None:
    """The acting user, for a foreign key; None for a system process (or an anonymous caller)."""
    return actor if isinstance(actor, User) else None


def actor_person(actor: Actor) -> User:
    """The acting person, for a step only a person may take (a filing, a proposal): a process or an anonymous
    caller is refused (``person_required``) rather than stored as nobody."""
    if not isinstance(actor, User):
        raise PermissionDenied("此操作须由本人登录后办理", code="person_required")
    return actor


def device_actor(device_no: str) -> SystemActor:
    """An authenticated device (AI camera, drone) reporting through its integration."""
    return SystemActor(f"设备{device_no}")


def actor_label(actor: Actor) -> str:
    """The name a timeline shows: the person's name from their post, else the username; a process by its name."""
    if isinstance(actor, SystemActor):
        return actor.name[:150]
    profile = getattr(actor, "profile", None)
    name = profile.display_name if profile is not None and profile.display_name else actor.get_username()
    return str(name)[:150]
