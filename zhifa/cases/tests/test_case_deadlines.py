"""The deadlines engine on cases: stored due dates with their rule and article, the head's extension, a
suspension that stops a clock, warnings before and escalation after; evidence with hashes and custody; evidence
preservation (APL 56) and seizure (ACL 25) with their own deadlines and documents."""

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from zhifa.cases import services
from zhifa.cases.models import Case, Conclusion, EvidenceKind, MeasureKind, PenaltyKind, ServiceMethod
from zhifa.cases.papers import documents_of
from zhifa.cases.tests.conftest import CaseWorld, filed, lead, noticed
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.core.errors import DomainError
from zhifa.core.models import CalendarOverride
from zhifa.documents.kinds import DocumentKind
from zhifa.events.models import Notification
from zhifa.org.models import Officer
from zhifa.org.tests.factories import OfficerFactory


def due(case: Case, code: str) -> dt.date:
    return case.deadlines.get(code=code).due_on


def test_apl_60_decision_due_90_days_after_filing_and_extended_by_the_head_with_a_reason(cw: CaseWorld) -> None:
    case = filed(cw)  # filed 2026-03-04
    assert due(case, "decision") == dt.date(2026, 6, 2)
    leader = cw.user("leader")
    services.extend_decision_deadline(case, actor=leader, days=30, reason="需鉴定", legal_date=dt.date(2026, 5, 20))
    assert due(case, "decision") == dt.date(2026, 7, 2)
    with pytest.raises(DomainError) as refused:
        services.extend_decision_deadline(case, actor=leader, days=10, reason="再延", legal_date=dt.date(2026, 5, 21))
    assert refused.value.code == "extension_needs_collective_discussion"
    with pytest.raises(DomainError) as refused:
        services.extend_decision_deadline(case, actor=leader, days=31, reason="过长", legal_date=dt.date(2026, 5, 21))
    assert refused.value.code == "extension_too_long"
    with pytest.raises(DomainError) as refused:
        services.extend_decision_deadline(
            case, actor=cw.user("officer_a"), days=5, reason="x", legal_date=dt.date(2026, 5, 21)
        )
    assert refused.value.code == "permission_denied"


def test_a_suspended_clock_stops_and_its_days_are_added_when_it_resumes(cw: CaseWorld) -> None:
    case = filed(cw)
    leader = cw.user("leader")
    services.suspend_deadline(case, actor=leader, code="decision", since=dt.date(2026, 4, 1), reason="委托技术鉴定")
    assert case.deadlines.get(code="decision").suspension_reason == "委托技术鉴定"
    services.resume_deadline(case, actor=leader, code="decision", on=dt.date(2026, 4, 11))
    assert due(case, "decision") == dt.date(2026, 6, 12)


def test_the_scan_warns_the_handlers_before_a_due_date_and_tells_the_heads_after_it_each_once(cw: CaseWorld) -> None:
    case = filed(cw)  # filed 2026-03-04: the decision is due 2026-06-02 (APL 60)
    notices = services.scan_deadlines(on=dt.date(2026, 5, 30))
    assert [(n.deadline.code, n.kind) for n in notices] == [("decision", "warning")]
    handlers = {cw.user("officer_a").pk, cw.colleague.user_id} - {None}
    assert set(Notification.objects.values_list("user_id", flat=True)) == handlers
    assert services.scan_deadlines(on=dt.date(2026, 5, 31)) == []
    notices = services.scan_deadlines(on=dt.date(2026, 6, 3))
    assert [(n.deadline.code, n.kind) for n in notices] == [("decision", "overdue")]
    leader_notes = Notification.objects.filter(user=cw.user("leader"))
    assert [n.message for n in leader_notes] == [
        f"案件{case.number}（李大伟）的“作出处罚决定”已于2026-06-02届满，尚未完成（APL 60）"
    ]
    assert services.scan_deadlines(on=dt.date(2026, 6, 4)) == []


def test_the_partys_windows_close_when_they_run_out_and_an_unpaid_fine_tells_the_handlers(cw: CaseWorld) -> None:
    case = noticed(cw)  # the party's statement and defence period ends 2026-03-13
    assert services.scan_deadlines(on=dt.date(2026, 3, 12)) == []
    assert services.scan_deadlines(on=dt.date(2026, 3, 14)) == []
    assert case.deadlines.get(code="statement_defence").met_on == dt.date(2026, 3, 13)
    assert not Notification.objects.exists()
    case = services.decide(case, actor=cw.user("leader"), legal_date=dt.date(2026, 3, 16))
    services.serve(case, actor=cw.user("officer_a"), legal_date=dt.date(2026, 3, 17), method=ServiceMethod.DIRECT)
    # Payment due 2026-04-01 (APL 67); unpaid on 4-2: the handlers may now remind (ACL 35), the heads are not told.
    notices = services.scan_deadlines(on=dt.date(2026, 4, 2))
    assert [(n.deadline.code, n.kind) for n in notices] == [("payment", "payment_overdue")]
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["officer_a"]
    assert case.deadlines.get(code="payment").met_on is None
    assert services.scan_deadlines(on=dt.date(2026, 4, 3)) == []


def test_apl_46_evidence_keeps_its_hash_and_its_chain_of_custody(cw: CaseWorld) -> None:
    case = filed(cw)
    content = b"\x89PNG fake photo bytes"
    evidence = services.add_evidence(
        case,
        actor=cw.user("auxiliary_a"),
        kind=EvidenceKind.AUDIOVISUAL,
        description="现场照片",
        collected_by="甲队员",
        collected_at=dt.datetime(2026, 3, 5, 2, 0, tzinfo=dt.UTC),
        collected_place="上塘路16号",
        content=content,
        filename="photo.png",
    )
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.file.read() == content
    services.record_custody(
        evidence,
        actor=cw.user("officer_a"),
        action="移交证据室",
        holder="证据管理员",
        at=dt.datetime(2026, 3, 6, 2, 0, tzinfo=dt.UTC),
    )
    assert list(evidence.custody.values_list("action", "holder")) == [("收集", "甲队员"), ("移交证据室", "证据管理员")]
    with pytest.raises(DomainError) as refused:
        services.record_custody(
            evidence,
            actor=cw.user("officer_a"),
            action="调阅",
            holder="某人",
            at=dt.datetime(2026, 3, 5, 1, 0, tzinfo=dt.UTC),
        )
    assert refused.value.code == "legal_date_invalid"


def test_apl_56_preserved_evidence_is_decided_on_within_7_working_days(cw: CaseWorld) -> None:
    case = filed(cw)
    # Thu 2026-04-02: 7 working days, across the Qingming holiday (4-4 Sat … 4-6 Mon) → Tue 2026-04-14.
    measure = services.preserve(
        case, actor=cw.user("leader"), legal_date=dt.date(2026, 4, 2), items="货架三组", place="执法中队仓库"
    )
    assert measure.deadline.due_on == dt.date(2026, 4, 14)
    assert DocumentKind.PRESERVATION_NOTICE in [d.kind for d in documents_of(case)]
    services.end_measure(measure, actor=cw.user("leader"), legal_date=dt.date(2026, 4, 10), outcome="予以退还")
    assert case.deadlines.get(code="preservation_decision").met_on == dt.date(2026, 4, 10)


def test_acl_25_a_seizure_lasts_30_days_extended_once_with_testing_days_not_counted(cw: CaseWorld) -> None:
    case = filed(cw)
    measure = services.seize(
        case, actor=cw.user("leader"), legal_date=dt.date(2026, 3, 10), items="燃气灶一台", place="执法中队仓库"
    )
    assert measure.kind == MeasureKind.SEIZURE
    assert measure.deadline.due_on == dt.date(2026, 4, 9)
    services.add_testing_period(measure, actor=cw.user("leader"), first=dt.date(2026, 3, 20), last=dt.date(2026, 3, 24))
    measure.refresh_from_db()
    assert measure.deadline.due_on == dt.date(2026, 4, 14)
    services.extend_seizure(measure, actor=cw.user("leader"), days=30, reason="案情复杂")
    measure.refresh_from_db()
    assert measure.deadline.due_on == dt.date(2026, 5, 14)
    with pytest.raises(DomainError) as refused:
        services.extend_seizure(measure, actor=cw.user("leader"), days=5, reason="再延")
    assert refused.value.code == "seizure_already_extended"
    assert DocumentKind.SEIZURE_DECISION in [d.kind for d in documents_of(case)]


def test_a_deadline_ending_in_a_year_the_holiday_data_lacks_is_stored_provisionally_and_recounted_once_known(
    world: Any,
) -> None:
    # Served on Fri 4 Dec 2026: the lawsuit period (6 months) ends Fri 4 Jun 2027, a year the package lacks.
    with time_machine.travel(dt.datetime(2026, 12, 4, 2, 0, tzinfo=dt.UTC), tick=False):
        cw = CaseWorld(
            world,
            Officer.objects.get(user=world.user("officer_a")),
            OfficerFactory(district=world.district, home_department=world.enforcement_dept, street=world.street_a),
            OfficerFactory(district=world.district, home_department=world.enforcement_dept, street=world.street_b),
            MatterFactory(department=world.enforcement_dept),
        )
        case = lead(cw, discovered_on=dt.date(2026, 11, 2))
        case = services.submit_filing(
            case,
            actor=cw.user("officer_a"),
            legal_date=dt.date(2026, 11, 2),
            handler=cw.officer,
            co_handler=cw.colleague,
        )
        case = services.approve_filing(case, actor=cw.user("leader"), legal_date=dt.date(2026, 11, 3))
        services.record_investigation(
            case,
            actor=cw.user("officer_a"),
            kind="inspection",
            officers=[cw.officer, cw.colleague],
            legal_date=dt.date(2026, 11, 4),
            place="现场",
            content="现场检查",
        )
        case = services.conclude(
            case,
            actor=cw.user("officer_a"),
            legal_date=dt.date(2026, 11, 4),
            conclusion=Conclusion.PENALTY,
            penalty=[PenaltyKind.FINE],
            fine=Decimal("800.00"),
        )
        case = services.give_notice(case, actor=cw.user("officer_a"), legal_date=dt.date(2026, 11, 5))
        case = services.decide(case, actor=cw.user("leader"), legal_date=dt.date(2026, 12, 1))
        services.serve(case, actor=cw.user("officer_a"), legal_date=dt.date(2026, 12, 4), method=ServiceMethod.DIRECT)
        lawsuit = case.deadlines.get(code="lawsuit")
        assert (lawsuit.due_on, lawsuit.is_provisional) == (dt.date(2027, 6, 4), True)
        assert not case.deadlines.get(code="payment").is_provisional  # 19 Dec 2026: known
        services.scan_deadlines(on=dt.date(2026, 12, 4))
        assert case.deadlines.get(code="lawsuit").is_provisional
        # An administrator enters the day from the 2027 notice: the next scan counts it for good.
        CalendarOverride.objects.create(day=dt.date(2027, 6, 4), is_working_day=True, note="2027年通知")
        services.scan_deadlines(on=dt.date(2026, 12, 5))
        lawsuit.refresh_from_db()
        assert (lawsuit.due_on, lawsuit.is_provisional) == (dt.date(2027, 6, 4), False)
