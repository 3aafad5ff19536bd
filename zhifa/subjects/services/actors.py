"""Who is writing: a user acting through the web/API, or a trusted system caller.

A management command or the demo loader has no user; it passes a label (e.g. "命令行") as ``actor``, which
the audit chain records as the actor's name. Such callers run with shell access to the server, which
already grants more than any role, so no jurisdiction applies to them.
"""

from collections.abc import Callable

from zhifa.core.actors import Actor, is_system
from zhifa.core.errors import PermissionDenied
from zhifa.org.jurisdiction import Jurisdiction, jurisdiction_of


def acting_jurisdiction(
    actor: Actor, *, district_id: int, allowed: Callable[[Jurisdiction], bool], message: str
) -> Jurisdiction | None:
    """The actor's jurisdiction after checking the role may do this in this district; None for the system."""
    if is_system(actor):
        return None
    j = jurisdiction_of(actor)
    if not allowed(j):
        raise PermissionDenied(message, code="permission_denied")
    if j.district_id != district_id:
        raise PermissionDenied("该执法对象不在您的管辖范围内", code="outside_jurisdiction")
    return j
