"""The party online (ZJR 23): a business through its self-service login (the owner of the case's subject), a
person through the link sent to them (a random token). The party reads its notices and decision, states its
case and defence, requests a hearing and consents to electronic service; each counts from the day it arrived."""

import secrets

from zhifa.cases.models import Case, CaseStatus
from zhifa.cases.services.common import case_transaction, require_handler
from zhifa.core.actors import Actor, SystemActor, is_system
from zhifa.core.audit import audit_record
from zhifa.core.errors import NotFound, PermissionDenied
from zhifa.org.jurisdiction import jurisdiction_of
from zhifa.org.roles import Role

PARTY_VISIBLE_STATES = frozenset(
    set(CaseStatus.values) - {CaseStatus.LEAD, CaseStatus.FILING_APPROVAL, CaseStatus.NOT_FILED}
)


def party_actor(case: Case) -> SystemActor:
    """The party acting through its link: named on the timeline and in the audit chain as the party."""
    return SystemActor(f"当事人{case.party_name}（链接）")


def is_party_user(actor: Actor, case: Case) -> bool:
    if is_system(actor) or not getattr(actor, "is_authenticated", False):
        return False
    j = jurisdiction_of(actor)
    return (
        j.role == Role.BUSINESS_OWNER
        and j.district_id == case.district_id
        and case.subject is not None
        and case.subject.owners.filter(user_id=j.user_id).exists()
    )


def require_party_or_handler(actor: Actor, case: Case, *, online: bool) -> None:
    """Online: the party itself (its login or its link); on paper: a handler who enters what the party gave."""
    if online:
        if is_system(actor) and actor == party_actor(case):
            return
        if not is_party_user(actor, case):
            raise PermissionDenied("只有本案当事人可以在网上提交", code="not_the_party")
        return
    require_handler(actor, case, what="录入当事人的陈述申辩")


def case_for_party_token(token: str) -> Case:
    case = Case.objects.filter(party_token=token).exclude(party_token="").first() if len(token) >= 32 else None
    if case is None or case.status not in PARTY_VISIBLE_STATES:
        raise NotFound("链接无效或已失效", code="party_link_invalid")
    return case


def party_link_token(case: Case, *, actor: Actor) -> str:
    """The party's link token, made once when the case is first noticed to a party without a login."""
    require_handler(actor, case, what="生成当事人链接")
    with case_transaction():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if not case.party_token:
            case.party_token = secrets.token_urlsafe(32)
            case.save(update_fields=["party_token", "updated_at"])
            audit_record(actor=actor, action="case.party_link", obj=case)
    return case.party_token
