"""The rules of law a case step must pass (LEGAL.md), one test per rule, named after its article: each refusal
has its own code and writes nothing (no step, no document, no deadline, no audit entry)."""

import datetime as dt
import hashlib
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from zhifa.cases import services
from zhifa.cases.models import Case, CaseStatus, Conclusion, PenaltyKind, RecordKind, ServiceMethod, SubmissionKind
from zhifa.cases.tests.conftest import CaseWorld, concluded, filed, lead, noticed
from zhifa.core.errors import DomainError
from zhifa.core.models import AuditEntry
from zhifa.documents.models import Document
from zhifa.org.tests.factories import OfficerFactory


def counts(case: Case) -> tuple[int, ...]:
    return (
        case.steps.count(),
        case.deadlines.count(),
        Document.objects.filter(owner=f"case:{case.pk}").count(),
        AuditEntry.objects.count(),
        Case.objects.count(),
    )


def refused(case: Case, code: str, step: Callable[[], Any]) -> DomainError:
    before = (counts(case), Case.objects.get(pk=case.pk).status)
    with pytest.raises(DomainError) as error:
        step()
    assert error.value.code == code, error.value.message
    assert (counts(case), Case.objects.get(pk=case.pk).status) == before
    return error.value


def inspect(cw: CaseWorld, case: Case, officers: list[Any], on: dt.date = dt.date(2026, 3, 5)) -> Any:
    return services.record_investigation(
        case,
        actor=cw.user("officer_a"),
        kind=RecordKind.INQUIRY,
        officers=officers,
        legal_date=on,
        place="执法中队",
        content="询问当事人",
    )


def test_apl_42_an_investigation_record_needs_two_officers(cw: CaseWorld) -> None:
    case = filed(cw)
    refused(case, "two_officers_required", lambda: inspect(cw, case, [cw.officer]))
    refused(case, "two_officers_required", lambda: inspect(cw, case, [cw.officer, cw.officer]))
    assert inspect(cw, case, [cw.officer, cw.colleague]).officers.count() == 2


def test_apl_42_an_officer_whose_certificate_expired_before_the_record_cannot_make_it(cw: CaseWorld) -> None:
    case = filed(cw)
    expired = OfficerFactory(
        district=cw.world.district,
        name="过期队员",
        home_department=cw.world.enforcement_dept,
        certificate_valid_until=dt.date(2026, 3, 4),
    )
    error = refused(case, "certificate_invalid", lambda: inspect(cw, case, [cw.officer, expired]))
    assert "过期队员" in error.message
    # Valid on its last day.
    assert inspect(cw, case, [cw.officer, expired], on=dt.date(2026, 3, 4))


def test_apl_43_a_recused_officer_takes_no_further_part(cw: CaseWorld) -> None:
    case = filed(cw)
    services.recuse(case, actor=cw.user("leader"), officer=cw.colleague, reason="系当事人近亲属")
    case.refresh_from_db()
    assert case.co_handler is None
    refused(case, "officer_recused", lambda: inspect(cw, case, [cw.officer, cw.colleague]))


def test_apl_36_limitation_two_years_is_checked_at_filing(cw: CaseWorld) -> None:
    # Ended 2024-03-02: two years run to 2026-03-02 inclusive.
    in_time = lead(cw, violation_ended_on=dt.date(2024, 3, 2), discovered_on=dt.date(2026, 3, 2))
    services.submit_filing(
        in_time, actor=cw.user("officer_a"), legal_date=dt.date(2026, 3, 3), handler=cw.officer, co_handler=cw.colleague
    )
    late = lead(cw, violation_ended_on=dt.date(2024, 3, 1), discovered_on=dt.date(2026, 3, 2))
    refused(
        late,
        "limitation_expired",
        lambda: services.submit_filing(
            late,
            actor=cw.user("officer_a"),
            legal_date=dt.date(2026, 3, 3),
            handler=cw.officer,
            co_handler=cw.colleague,
        ),
    )


def test_apl_36_limitation_is_five_years_where_life_health_or_financial_safety_was_harmed(cw: CaseWorld) -> None:
    case = lead(cw, violation_ended_on=dt.date(2022, 3, 1), discovered_on=dt.date(2026, 3, 2), harms_safety=True)
    services.submit_filing(
        case, actor=cw.user("officer_a"), legal_date=dt.date(2026, 3, 3), handler=cw.officer, co_handler=cw.colleague
    )
    assert Case.objects.get(pk=case.pk).status == CaseStatus.FILING_APPROVAL


def test_apl_62_no_penalty_decision_without_prior_notice(cw: CaseWorld) -> None:
    case = concluded(cw)
    refused(
        case,
        "not_noticed",
        lambda: services.decide(case, actor=cw.user("leader"), legal_date=dt.date(2026, 3, 20)),
    )


def test_apl_44_no_decision_before_the_defence_period_ends_unless_waived_in_writing(cw: CaseWorld) -> None:
    case = noticed(cw)  # notice received Tue 3-10: 3 working days → Fri 3-13
    decide = services.decide
    refused(
        case, "defence_period_running", lambda: decide(case, actor=cw.user("leader"), legal_date=dt.date(2026, 3, 13))
    )
    assert decide(case, actor=cw.user("leader"), legal_date=dt.date(2026, 3, 16)).status == CaseStatus.DECIDED

    waived = noticed(cw)
    services.party_submission(
        waived,
        actor=cw.user("officer_a"),
        kind=SubmissionKind.WAIVER,
        text="放弃陈述申辩",
        received_on=dt.date(2026, 3, 11),
    )
    assert decide(waived, actor=cw.user("leader"), legal_date=dt.date(2026, 3, 11)).status == CaseStatus.DECIDED


def test_apl_58_no_decision_while_a_required_legal_review_has_not_passed(cw: CaseWorld) -> None:
    # A fine outside the benchmark (500–20,000) needs a reason and legal review.
    case = concluded(cw, fine="25000.00", discretion_reason="违法面积大、拒不改正")
    assert case.needs_legal_review
    refused(
        case,
        "transition_guard_failed",
        lambda: services.give_notice(case, actor=cw.user("officer_a"), legal_date=dt.date(2026, 3, 10)),
    )
    case = services.submit_review(case, actor=cw.user("officer_a"), legal_date=dt.date(2026, 3, 10))
    case = services.review(
        case, actor=cw.user("legal_reviewer"), legal_date=dt.date(2026, 3, 11), passed=False, opinion="证据不足"
    )
    assert case.status == CaseStatus.INVESTIGATING


def test_apl_58_a_fine_outside_the_discretion_benchmark_needs_a_recorded_reason(cw: CaseWorld) -> None:
    case = filed(cw)
    inspect(cw, case, [cw.officer, cw.colleague])
    refused(
        case,
        "discretion_reason_required",
        lambda: services.conclude(
            case,
            actor=cw.user("officer_a"),
            legal_date=dt.date(2026, 3, 9),
            conclusion=Conclusion.PENALTY,
            penalty=[PenaltyKind.FINE],
            fine=Decimal("20000.01"),
        ),
    )


def test_apl_45_the_decided_penalty_cannot_exceed_the_noticed_one(cw: CaseWorld) -> None:
    case = noticed(cw)
    services.party_submission(
        case,
        actor=cw.user("officer_a"),
        kind=SubmissionKind.STATEMENT,
        text="摊位已撤",
        received_on=dt.date(2026, 3, 11),
    )
    decide = services.decide
    refused(
        case,
        "penalty_exceeds_notice",
        lambda: decide(case, actor=cw.user("leader"), legal_date=dt.date(2026, 3, 16), fine=Decimal("1000.01")),
    )
    refused(
        case,
        "penalty_exceeds_notice",
        lambda: decide(
            case,
            actor=cw.user("leader"),
            legal_date=dt.date(2026, 3, 16),
            penalty=[PenaltyKind.FINE, PenaltyKind.WARNING],
        ),
    )
    assert decide(
        case, actor=cw.user("leader"), legal_date=dt.date(2026, 3, 16), fine=Decimal("800.00")
    ).decided_fine == Decimal("800.00")


def test_apl_64_a_hearing_requested_within_5_working_days_blocks_the_decision_until_the_hearing_record(
    cw: CaseWorld,
) -> None:
    case = noticed(cw, fine="5000.00")  # a person fined ≥ 5,000: hearing right (APL 63, configurable)
    # Notice 3-10 (Tue): 5 working days → Tue 3-17; the request on the last day is in time.
    services.party_submission(
        case,
        actor=cw.user("officer_a"),
        kind=SubmissionKind.HEARING_REQUEST,
        text="要求听证",
        received_on=dt.date(2026, 3, 17),
    )
    refused(
        case,
        "invalid_transition",
        lambda: services.decide(case, actor=cw.user("leader"), legal_date=dt.date(2026, 3, 30)),
    )
    services.notify_hearing(
        case,
        actor=cw.user("officer_a"),
        legal_date=dt.date(2026, 3, 18),
        chair=cw.outsider,
        hearing_on=dt.date(2026, 3, 25),
    )
    case = services.hold_hearing(
        case, actor=cw.user("officer_a"), legal_date=dt.date(2026, 3, 25), record="当事人陈述……"
    )
    # After a hearing, legal review is required before the decision (APL 58 (3)).
    refused(
        case,
        "legal_review_required",
        lambda: services.decide(case, actor=cw.user("leader"), legal_date=dt.date(2026, 3, 30)),
    )
    services.review(case, actor=cw.user("legal_reviewer"), legal_date=dt.date(2026, 3, 26), passed=True, opinion="同意")
    assert services.decide(case, actor=cw.user("leader"), legal_date=dt.date(2026, 3, 30)).status == CaseStatus.DECIDED


def test_apl_64_a_hearing_request_after_5_working_days_is_refused(cw: CaseWorld) -> None:
    case = noticed(cw, fine="5000.00")
    refused(
        case,
        "hearing_request_late",
        lambda: services.party_submission(
            case,
            actor=cw.user("officer_a"),
            kind=SubmissionKind.HEARING_REQUEST,
            text="要求听证",
            received_on=dt.date(2026, 3, 18),
        ),
    )


def test_apl_64_no_decision_while_the_hearing_request_period_runs(cw: CaseWorld) -> None:
    case = noticed(cw, fine="5000.00")
    refused(
        case,
        "hearing_request_period_running",
        lambda: services.decide(case, actor=cw.user("leader"), legal_date=dt.date(2026, 3, 17)),
    )


def test_apl_64_the_hearing_chair_is_not_an_investigator_and_is_notified_7_days_before(cw: CaseWorld) -> None:
    case = noticed(cw, fine="5000.00")
    services.party_submission(
        case,
        actor=cw.user("officer_a"),
        kind=SubmissionKind.HEARING_REQUEST,
        text="要求听证",
        received_on=dt.date(2026, 3, 11),
    )
    notify = services.notify_hearing
    refused(
        case,
        "hearing_chair_investigated",
        lambda: notify(
            case,
            actor=cw.user("officer_a"),
            legal_date=dt.date(2026, 3, 12),
            chair=cw.colleague,
            hearing_on=dt.date(2026, 3, 25),
        ),
    )
    refused(
        case,
        "hearing_notice_too_late",
        lambda: notify(
            case,
            actor=cw.user("officer_a"),
            legal_date=dt.date(2026, 3, 12),
            chair=cw.outsider,
            hearing_on=dt.date(2026, 3, 18),
        ),
    )
    assert notify(
        case,
        actor=cw.user("officer_a"),
        legal_date=dt.date(2026, 3, 12),
        chair=cw.outsider,
        hearing_on=dt.date(2026, 3, 19),
    )


def test_apl_57_a_complex_case_is_decided_after_collective_discussion(cw: CaseWorld) -> None:
    case = noticed(cw, is_complex=True)
    refused(
        case,
        "collective_discussion_required",
        lambda: services.decide(case, actor=cw.user("leader"), legal_date=dt.date(2026, 3, 16)),
    )
    services.record_discussion(
        case, actor=cw.user("leader"), legal_date=dt.date(2026, 3, 16), minutes="局务会集体讨论，同意处罚"
    )
    assert services.decide(case, actor=cw.user("leader"), legal_date=dt.date(2026, 3, 16)).status == CaseStatus.DECIDED


def test_apl_61_electronic_service_only_with_the_partys_consent(cw: CaseWorld) -> None:
    case = services.decide(noticed(cw), actor=cw.user("leader"), legal_date=dt.date(2026, 3, 16))
    serve = services.serve
    refused(
        case,
        "electronic_service_without_consent",
        lambda: serve(
            case, actor=cw.user("officer_a"), legal_date=dt.date(2026, 3, 16), method=ServiceMethod.ELECTRONIC
        ),
    )
    services.party_submission(
        case,
        actor=cw.user("officer_a"),
        kind=SubmissionKind.E_SERVICE_CONSENT,
        text="同意",
        received_on=dt.date(2026, 3, 16),
    )
    assert serve(case, actor=cw.user("officer_a"), legal_date=dt.date(2026, 3, 16), method=ServiceMethod.ELECTRONIC)


def test_apl_61_a_public_notice_counts_as_served_30_days_after_it_was_published(cw: CaseWorld) -> None:
    case = services.decide(noticed(cw), actor=cw.user("leader"), legal_date=dt.date(2026, 3, 16))
    service = services.serve(
        case, actor=cw.user("officer_a"), legal_date=dt.date(2026, 3, 17), method=ServiceMethod.PUBLIC_NOTICE
    )
    assert service.served_on == dt.date(2026, 4, 16)


def test_a_steps_legal_date_is_never_in_the_future_nor_before_the_step_it_follows(cw: CaseWorld) -> None:
    case = filed(cw)  # approved 3-4
    refused(case, "legal_date_in_future", lambda: inspect(cw, case, [cw.officer, cw.colleague], on=dt.date(2026, 6, 2)))
    refused(
        case,
        "legal_date_before_previous_step",
        lambda: inspect(cw, case, [cw.officer, cw.colleague], on=dt.date(2026, 3, 3)),
    )
    # Entered late (补录) is fine: the record was made on 3-4, entered on 6-1.
    assert inspect(cw, case, [cw.officer, cw.colleague], on=dt.date(2026, 3, 4))


def test_zjr_30_an_auxiliary_may_serve_but_never_decide(cw: CaseWorld) -> None:
    case = noticed(cw)
    refused(
        case,
        "auxiliary_cannot_decide",
        lambda: services.decide(case, actor=cw.user("auxiliary_a"), legal_date=dt.date(2026, 3, 16)),
    )
    refused(
        case,
        "permission_denied",
        lambda: services.decide(case, actor=cw.user("officer_a"), legal_date=dt.date(2026, 3, 16)),
    )
    case = services.decide(case, actor=cw.user("leader"), legal_date=dt.date(2026, 3, 16))
    assert services.serve(
        case, actor=cw.user("auxiliary_a"), legal_date=dt.date(2026, 3, 17), method=ServiceMethod.DIRECT
    )


def test_a_case_of_another_street_is_not_found_for_a_street_officer(cw: CaseWorld) -> None:
    case = filed(cw)
    refused(case, "case_not_found", lambda: inspect_as(cw, case, "officer_b"))


def inspect_as(cw: CaseWorld, case: Case, persona: str) -> Any:
    return services.record_investigation(
        case,
        actor=cw.user(persona),
        kind=RecordKind.INQUIRY,
        officers=[cw.officer, cw.colleague],
        legal_date=dt.date(2026, 3, 5),
        place="执法中队",
        content="询问",
    )


def test_apl_59_a_decision_missing_its_legal_basis_is_refused_and_nothing_is_written(cw: CaseWorld) -> None:
    case = noticed(cw)
    cw.matter.law_name = ""
    cw.matter.violated_provision = ""
    cw.matter.penalty_provision = ""
    cw.matter.save()
    error = refused(
        case,
        "document_elements_missing",
        lambda: services.decide(case, actor=cw.user("leader"), legal_date=dt.date(2026, 3, 16)),
    )
    assert "法律依据" in error.message or "依据" in str(error.details)


def test_cpl_89_a_document_left_at_the_partys_place_needs_a_witness_or_a_photo(cw: CaseWorld) -> None:
    case = services.decide(noticed(cw), actor=cw.user("leader"), legal_date=dt.date(2026, 3, 16))
    serve = services.serve
    refused(
        case,
        "witness_required",
        lambda: serve(case, actor=cw.user("officer_a"), legal_date=dt.date(2026, 3, 17), method=ServiceMethod.LEFT),
    )
    photo = b"\xff\xd8\xff photo of the decision left on the shop's counter"
    service = serve(
        case, actor=cw.user("officer_a"), legal_date=dt.date(2026, 3, 17), method=ServiceMethod.LEFT, photo=photo
    )
    assert service.photo_sha256 == hashlib.sha256(photo).hexdigest()
    assert service.photo.read() == photo
