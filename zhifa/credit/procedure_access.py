"""Who may act in the credit procedures (issue 13 parts 5–7), and the step rows they leave. Pure predicates over a
``Jurisdiction``; the services in ``dishonesty``, ``objections`` and ``repair`` enforce them.

- Credit administration (信用管理: proposing, notifying, publishing a listing; reviewing objections and repair
  requests): the administrator, the command centre and the legal reviewer — district-wide posts.
- Signing a listing decision, removing a listing early, extending an objection's review: the agency head, i.e.
  the leader's post (ZJC 24: 决定书由本机关负责人签发; ZJC 31: extension approved by the head). The
  administrator is not the head and may not sign.
- The holder's own acts (defence, objection, repair request): a business owner linked to the subject.
"""

from typing import Any

from django.utils import timezone

from zhifa.core.actors import Actor, actor_label, actor_user
from zhifa.credit.models import CreditProcedureStep
from zhifa.org.jurisdiction import Jurisdiction
from zhifa.org.roles import Role

CREDIT_ADMIN_ROLES = frozenset({Role.ADMIN, Role.DISPATCHER, Role.LEGAL_REVIEWER})
HEAD_ROLES = frozenset({Role.LEADER})


def is_credit_admin(j: Jurisdiction) -> bool:
    return j.role in CREDIT_ADMIN_ROLES


def is_agency_head(j: Jurisdiction) -> bool:
    return j.role in HEAD_ROLES


def is_business(j: Jurisdiction) -> bool:
    return j.role == Role.BUSINESS_OWNER


def can_see_procedures(j: Jurisdiction) -> bool:
    """The staff lists of listings, objections and repair requests."""
    return is_credit_admin(j) or is_agency_head(j)


def step_recorder(*, workflow: str, action: str, actor: Actor, note: str = "") -> Any:
    """The ``record_transition`` callback of ``workflow_apply``: one append-only step row per transition."""

    def record(obj: Any, source: str, target: str) -> None:
        CreditProcedureStep.objects.create(
            workflow=workflow,
            object_id=obj.pk,
            action=action,
            from_status=source,
            to_status=target,
            actor=actor_user(actor),
            actor_label=actor_label(actor)[:150],
            note=note,
            at=timezone.now(),
        )

    return record
