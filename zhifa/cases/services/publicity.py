"""Publicity of decisions (行政处罚决定公开, APL 48): a decision of the general procedure with a certain social
impact is published within the time set, and withdrawn when it is revoked, confirmed illegal or void. The head
(or the administrator) decides both; each is audited. The public page masks the party's personal data
(``zhifa.web.penalty_views``); an organisation's name stays, as the law requires it to be published.

The simple procedure is not published (a decision made on the spot for a warning or a small fine has no such
impact), and nothing is published before a decision exists."""

from zhifa.cases.models import Case, CaseStatus, Procedure
from zhifa.cases.services.common import case_transaction, locked, require_approver
from zhifa.core.actors import Actor
from zhifa.core.audit import audit_record
from zhifa.core.errors import Conflict, ValidationFailed

# A decision exists in these states (decided, served, paid, enforced, closed).
DECIDED_STATES = frozenset(
    {CaseStatus.DECIDED, CaseStatus.SERVED, CaseStatus.PAID, CaseStatus.ENFORCEMENT, CaseStatus.CLOSED}
)


def publish_decision(case: Case, *, actor: Actor) -> Case:
    """Publish the case's decision on the public page (APL 48)."""
    require_approver(actor, case, what="公开行政处罚决定")
    with case_transaction():
        case = locked(case)
        if case.procedure == Procedure.SIMPLE:
            raise Conflict("简易程序（当场处罚）的决定不予公开", code="publication_simple_procedure")
        if case.status not in DECIDED_STATES or not case.decision_number:
            raise Conflict(
                "尚未作出处罚决定，不能公开", code="publication_not_decided", details={"status": case.status}
            )
        if case.is_published:
            return case
        case.is_published = True
        case.save(update_fields=["is_published", "updated_at"])
        audit_record(
            actor=actor, action="case.publish", obj=case, before={"is_published": False}, after={"is_published": True}
        )
    return case


def withdraw_publication(case: Case, *, actor: Actor, reason: str) -> Case:
    """Withdraw a published decision: revoked, confirmed illegal or void (APL 48 second paragraph)."""
    require_approver(actor, case, what="撤回公开的行政处罚决定")
    if not reason.strip():
        raise ValidationFailed("请填写撤回公开的理由", code="publication_reason_required")
    with case_transaction():
        case = locked(case)
        if not case.is_published:
            raise Conflict("该决定未公开", code="publication_not_published")
        case.is_published = False
        case.save(update_fields=["is_published", "updated_at"])
        audit_record(
            actor=actor,
            action="case.withdraw_publication",
            obj=case,
            before={"is_published": True},
            after={"is_published": False},
            reason=reason.strip()[:500],
        )
    return case
