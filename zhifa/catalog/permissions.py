"""Who may change the enforcement-matter catalogue.

The catalogue is district-level reference data that every case cites as its legal basis, so only the
district's administrators and the command centre may change it (``Jurisdiction.can_edit_catalogue``);
officers, auxiliaries (ZJR 30: never decide), department liaisons and business owners only read it.
"""

from zhifa.core.actors import Actor, is_system
from zhifa.core.errors import PermissionDenied
from zhifa.org.jurisdiction import jurisdiction_of


def require_catalogue_editor(actor: Actor, *, district_id: int) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` may edit ``district_id``'s catalogue."""
    # The demo loader and management commands act as system processes: whoever can run them already holds
    # the server.
    if is_system(actor):
        return
    jurisdiction = jurisdiction_of(actor)
    if not jurisdiction.can_edit_catalogue:
        raise PermissionDenied("只有系统管理员和指挥中心可以维护执法事项目录", code="catalogue_edit_forbidden")
    if jurisdiction.district_id != district_id:
        raise PermissionDenied("不能维护其他区的执法事项目录", code="catalogue_edit_forbidden")
