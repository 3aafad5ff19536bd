"""A user's jurisdiction, read once per request from their ``Profile``; every selector filters by it.

One request asks for it several times — the API's permission check, the service's ``actor_jurisdiction``, the
selector that scopes the reply — so ``jurisdiction_of`` keeps it in the request's memo
(``core.request_context.request_memo``), keyed by the user's id: the profile is read and the jurisdiction
built once per request per user, whichever ``User`` instance of that account is asked about. The memo dies
with the request, so the next request reads the post as it is then; outside a request (tests, the shell,
management commands) nothing is kept. A post changed within a request (the admin's profile form) is dropped
from the memo by ``jurisdiction_forget``.
"""

from dataclasses import dataclass
from typing import Any

from zhifa.core import request_context
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


def _memo_key(user_id: Any) -> tuple[str, Any]:
    return ("org.jurisdiction", user_id)


def jurisdiction_of(user: Any) -> Jurisdiction:
    """Raise ``PermissionDenied`` for a user with no post: no post, no data."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise PermissionDenied("请先登录", code="not_authenticated")
    memo = request_context.request_memo()
    if memo is None:
        return _jurisdiction_read(user)
    key = _memo_key(user.pk)
    found = memo.get(key)
    if found is None:
        # A user with no post raises here, and nothing is kept: a post given later in the request counts.
        found = memo[key] = _jurisdiction_read(user)
    return found


def jurisdiction_forget(user_id: Any) -> None:
    """Drop the user's jurisdiction from the current request's memo: their post has just been changed."""
    memo = request_context.request_memo()
    if memo is not None:
        memo.pop(_memo_key(user_id), None)


def _jurisdiction_read(user: Any) -> Jurisdiction:
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
