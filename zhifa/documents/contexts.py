"""What the caller fills for each kind of document: the context a document is rendered from and stored with.

Every value is JSON (the context is kept on the document as it was rendered): text as ``str``, dates as ISO
``"2026-12-04"``, moments as ISO ``"2026-12-04T09:30"`` (local time), money as a decimal string ``"500.00"``
— ``date``, ``datetime`` and ``Decimal`` values are accepted and turned into those strings on issue. Text
is data, never markup: whatever a party's name contains is printed as typed. ``agency`` (the agency's full
name) is filled from the district when the caller leaves it out. docs/documents.md lists the fields per kind
with an example; ``zhifa.documents.samples`` holds a complete one for each kind.
"""

from typing import NotRequired, TypedDict


class Party(TypedDict):
    """当事人. ``kind`` "person" (自然人) carries ``id_number``; "organisation" (法人或其他组织) carries ``uscc``
    and ``legal_representative``."""

    kind: str
    name: str
    address: str
    id_number: NotRequired[str]
    uscc: NotRequired[str]
    legal_representative: NotRequired[str]
    phone: NotRequired[str]


class OfficerRef(TypedDict):
    """An enforcement officer as a document prints them (APL 42, 55: name and certificate number)."""

    name: str
    certificate_no: str


class Remedy(TypedDict):
    """APL 59 (5): route AND period of both remedies (复议法 20: 60 days; 行政诉讼法 46: 6 months)."""

    reconsideration_body: str
    reconsideration_period: str
    lawsuit_court: str
    lawsuit_period: str


class Performance(TypedDict):
    """APL 59 (4): how and by when the decision is complied with (APL 66, 67)."""

    method: str
    deadline: str


class Approval(TypedDict):
    """One rung of an approval ladder as printed on a form (审批意见)."""

    role: str
    opinion: str
    name: str
    signed_on: str


class Item(TypedDict):
    name: str
    specification: NotRequired[str]
    quantity: str


class QuestionAnswer(TypedDict):
    question: str
    answer: str


class Statement(TypedDict):
    speaker: str
    text: str


class CaseSourceRegister(TypedDict):
    agency: NotRequired[str]
    source: str
    received_on: str
    reporter: NotRequired[str]
    reporter_phone: NotRequired[str]
    party: NotRequired[Party]
    summary: str
    handler_opinion: NotRequired[str]
    registered_by: list[OfficerRef]
    approvals: NotRequired[list[Approval]]


class FilingApproval(TypedDict):
    agency: NotRequired[str]
    case_no: NotRequired[str]
    case_cause: str
    party: Party
    source: NotRequired[str]
    facts: str
    legal_basis: str
    handler_opinion: str
    officers: list[OfficerRef]
    approvals: NotRequired[list[Approval]]


class InspectionRecord(TypedDict):
    agency: NotRequired[str]
    place: str
    started_at: str
    ended_at: str
    party: Party
    present_person: NotRequired[str]
    officers: list[OfficerRef]
    recorder: NotRequired[str]
    content: str
    party_signature_note: NotRequired[str]


class InquiryRecord(TypedDict):
    agency: NotRequired[str]
    place: str
    started_at: str
    ended_at: str
    interviewee: Party
    relation: NotRequired[str]
    officers: list[OfficerRef]
    recorder: NotRequired[str]
    questions: list[QuestionAnswer]


class PreservationNotice(TypedDict):
    agency: NotRequired[str]
    party: Party
    facts: str
    legal_basis: str
    items: list[Item]
    keeping_place: str
    issued_on: str


class SeizureDecision(TypedDict):
    agency: NotRequired[str]
    party: Party
    facts: str
    legal_basis: str
    measure: str
    items: list[Item]
    place: NotRequired[str]
    period_days: str
    remedy: Remedy
    issued_on: str


class RectificationOrder(TypedDict):
    agency: NotRequired[str]
    party: Party
    facts: str
    legal_basis: str
    requirement: str
    deadline_on: str
    issued_on: str


class PenaltyNotice(TypedDict):
    agency: NotRequired[str]
    party: Party
    facts: str
    evidence: list[str]
    legal_basis: str
    intended_penalty: str
    statement_period: str
    hearing_right: NotRequired[str]
    contact: NotRequired[str]
    issued_on: str


class HearingNotice(TypedDict):
    agency: NotRequired[str]
    party: Party
    intended_penalty: str
    request_period: str
    contact: NotRequired[str]
    issued_on: str


class HearingRecord(TypedDict):
    agency: NotRequired[str]
    case_cause: str
    held_at: str
    place: str
    chair: str
    recorder: str
    party: Party
    agent: NotRequired[str]
    investigators: list[OfficerRef]
    proceedings: list[Statement]


class PenaltyDecision(TypedDict):
    """行政处罚决定书 and 当场行政处罚决定书 (APL 59; the latter also ``place`` and ``officers``, APL 52)."""

    agency: NotRequired[str]
    party: Party
    facts: str
    evidence: list[str]
    procedure: NotRequired[str]
    legal_basis: str
    penalty: str
    fine_amount: NotRequired[str]
    performance: Performance
    remedy: Remedy
    issued_on: str
    place: NotRequired[str]
    officers: NotRequired[list[OfficerRef]]


class NoPenaltyDecision(TypedDict):
    agency: NotRequired[str]
    party: Party
    facts: str
    evidence: list[str]
    reason: str
    legal_basis: str
    education: NotRequired[str]
    remedy: Remedy
    issued_on: str


class ServiceReceipt(TypedDict):
    agency: NotRequired[str]
    served_document: str
    recipient: str
    served_at: str
    place: str
    method: str
    servers: list[OfficerRef]
    recipient_signature_note: NotRequired[str]
    witness: NotRequired[str]


class Reminder(TypedDict):
    agency: NotRequired[str]
    party: Party
    decision_ref: str
    obligation: str
    amount: NotRequired[str]
    late_fee: NotRequired[str]
    deadline: str
    manner: str
    statement_right: str
    issued_on: str


class ClosingApproval(TypedDict):
    agency: NotRequired[str]
    case_no: NotRequired[str]
    case_cause: str
    party: Party
    outcome: str
    execution: str
    handler_opinion: str
    approvals: NotRequired[list[Approval]]
