"""Who may do what to an event. Pure predicates over a ``Jurisdiction``; the services enforce them.

- Anyone with a post may report an event (a patrol finding, a hotline call, a business owner's report);
  the public and integrations come in through Open311 and API tokens. A street role reports in its own
  street: an event it could not see afterwards would be written and then answered "not found".
- Commanding an event — triage, dispatch, re-dispatch, verify, redo, close, transfer, merge, reject,
  reclassify — is a decision: the command centre (dispatcher), a street dispatcher for their own street,
  and the administrator. Never an auxiliary (ZJR 30: auxiliary staff collect information and assist,
  they do not decide), never an officer, a liaison or a business owner.
- Field steps (acknowledge, arrive, handle) belong to the officers assigned to the event.
- A coordinating department's written feedback belongs to that department's liaison.
- A photo's original — the evidence, with the EXIF the public copy drops (the phone's GPS position, the
  time, the device) — is for those who command the event and for the legal reviewer, who must examine the
  evidence before a decision (APL 58, ZJR 24). Officers and auxiliaries work from the public copy (an
  auxiliary collects information, never decides, ZJR 30); liaisons, leaders and business owners see the
  public copy of the events in their scope.
"""

from zhifa.org.jurisdiction import Jurisdiction
from zhifa.org.roles import Role

COMMAND_ROLES = frozenset({Role.ADMIN, Role.DISPATCHER, Role.STREET_DISPATCHER})


def can_report_event(j: Jurisdiction) -> bool:
    return bool(j.role)


def can_report_at(j: Jurisdiction, *, street_id: int) -> bool:
    """Street roles report inside their own street; every other post anywhere in the district."""
    return not j.is_street_scoped or j.street_id == street_id


def can_command_events(j: Jurisdiction) -> bool:
    return j.role in COMMAND_ROLES


def covers_event_street(j: Jurisdiction, street_id: int) -> bool:
    """A street dispatcher commands only their own street's events; district roles every street."""
    if j.role == Role.STREET_DISPATCHER:
        return j.street_id == street_id
    return True


def can_see_photo_original(j: Jurisdiction, *, street_id: int) -> bool:
    """Commanders of the event's street, and the legal reviewer who examines the evidence (APL 58, ZJR 24)."""
    if j.role == Role.LEGAL_REVIEWER:
        return True
    return can_command_events(j) and covers_event_street(j, street_id)


def can_give_coordination_feedback(j: Jurisdiction, department_id: int) -> bool:
    return j.role == Role.LIAISON and j.department_id == department_id


def can_record_position(j: Jurisdiction, officer_user_id: int | None) -> bool:
    """An officer's phone reports its own position, nobody else's."""
    return officer_user_id is not None and j.user_id == officer_user_id
