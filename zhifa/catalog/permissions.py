"""Who may change the enforcement-matter catalogue.

The catalogue is district-level reference data that every case cites as its legal basis, so only the
district's administrators and the command centre may change it (``Jurisdiction.can_edit_catalogue``);
officers, auxiliaries (ZJR 30: never decide), department liaisons and business owners only read it.
"""

from typing import Any

from zhifa.core.errors import PermissionDenied
from zhifa.org.jurisdiction import jurisdiction_of


def is_system_actor(actor: Any) -> bool:
    """A label such as "系统" or "命令行": the demo loader and management commands act without an account,
    and whoever can run them already holds the server."""
    return isinstance(actor, str)


def require_catalogue_editor(actor: Any, *, district_id: int) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` may edit ``district_id``'s catalogue."""
    if is_system_actor(actor):
        return
    jurisdiction = jurisdiction_of(actor)
    if not jurisdiction.can_edit_catalogue:
        raise PermissionDenied("只有系统管理员和指挥中心可以维护执法事项目录", code="catalogue_edit_forbidden")
    if jurisdiction.district_id != district_id:
        raise PermissionDenied("不能维护其他区的执法事项目录", code="catalogue_edit_forbidden")
