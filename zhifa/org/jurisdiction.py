"""A user's jurisdiction, read once per request from their ``Profile``; every selector filters by it."""

from dataclasses import dataclass
from typing import Any

from zhifa.core.errors import PermissionDenied
from zhifa.org.roles import DECIDING_ROLES, DISTRICT_WIDE_ROLES, MASTER_DATA_EDITORS, STREET_ROLES, Role


@dataclass(frozen=True)
class Jurisdiction:
    user_id: int
    district_id: int
    role: str
    street_id: int | None
    department_id: int | None

    @property
    def is_district_wide(self) -> bool:
        return self.role in DISTRICT_WIDE_ROLES

    @property
    def is_street_scoped(self) -> bool:
        return self.role in STREET_ROLES

    @property
    def own_street_id(self) -> int:
        """The street of a street-scoped user; a street role without a street sees nothing (id 0)."""
        return self.street_id or 0

    @property
    def own_department_id(self) -> int:
        return self.department_id or 0

    @property
    def is_department_scoped(self) -> bool:
        return self.role == Role.LIAISON

    @property
    def can_decide(self) -> bool:
        return self.role in DECIDING_ROLES

    @property
    def can_edit_master_data(self) -> bool:
        return self.role in MASTER_DATA_EDITORS

    @property
    def can_edit_catalogue(self) -> bool:
        return self.role in {Role.ADMIN, Role.DISPATCHER}


def jurisdiction_of(user: Any) -> Jurisdiction:
    """Raise ``PermissionDenied`` for a user with no post: no post, no data."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise PermissionDenied("请先登录", code="not_authenticated")
    profile = getattr(user, "profile", None)
    if profile is None:
        raise PermissionDenied("该账号未分配岗位，无权查看数据", code="no_profile")
    return Jurisdiction(
        user_id=user.pk,
        district_id=profile.district_id,
        role=profile.role,
        street_id=profile.street_id,
        department_id=profile.department_id,
    )


def require(condition: bool, message: str, code: str = "permission_denied") -> None:
    if not condition:
        raise PermissionDenied(message, code=code)
