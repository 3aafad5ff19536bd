"""The demo's penalty cases: one at each stage a user of the case pages meets first, walked through the real
services by the demo personas (so every step has its legal date, document, deadline and audit entry), and a
pre-numbered range of on-the-spot decisions for each street officer with a phone account.

Needs the demo accounts (``--demo-accounts``): the steps are taken by ``wulin_duiyuan`` (handler), ``lingdao`` (head)
; the case beyond the benchmark waits in ``fazhi``'s review queue. Legal dates lie in the weeks before the load, so the stages are consistent with
today; deadlines that end in a year the holiday data lacks are stored provisionally (see ``CaseDeadline``).
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User

from zhifa.cases import legal, services
from zhifa.cases.models import (
    ApprovalRung,
    ApprovalStep,
    Case,
    Conclusion,
    PartyKind,
    PaymentChannel,
    PenaltyKind,
    RecordKind,
    ServiceMethod,
)
from zhifa.catalog.models import Matter
from zhifa.core.actors import SystemActor
from zhifa.demo.build.accounts import HOME_STREET, demo_business_subject
from zhifa.documents.services import allot_range
from zhifa.org.models import District, Officer, Street
from zhifa.org.roles import Role

DEMO_BANK = SystemActor("代收银行（演示）")
RANGE_SIZE = 50


def number_ranges_build(*, district: District, actor: SystemActor) -> int:
    """Each street officer with a phone account gets 50 numbers of 当场行政处罚决定书 (APL 52)."""
    officers = Officer.objects.filter(district=district, street__isnull=False, user__isnull=False).order_by("pk")
    for officer in officers:
        allot_range(officer=officer, count=RANGE_SIZE, actor=actor)
    return officers.count()


def cases_build(*, district: District, today: dt.date) -> int:
    users = {u.username: u for u in User.objects.filter(username__in=["wulin_duiyuan", "lingdao", "wulin_xieguan"])}
    street = Street.objects.get(district=district, name=HOME_STREET)
    matter = Matter.objects.filter(district=district, code="ZJ-SR-001").first()
    handler = Officer.objects.filter(user=users.get("wulin_duiyuan")).first()
    if len(users) < 3 or matter is None or handler is None:
        return 0
    colleague = (
        Officer.objects.filter(district=district, street=street, home_department__code="ZHZF")
        .exclude(pk=handler.pk)
        .order_by("pk")
        .first()
    )
    if colleague is None:
        return 0
    officer, leader = users["wulin_duiyuan"], users["lingdao"]
    shop = demo_business_subject(district)
    day = lambda n: today - dt.timedelta(days=n)  # noqa: E731 — n days before the load

    people = [
        services.Party(kind=PartyKind.PERSON, name="周建国", id_number="330105198505120017", address="武林路112号"),
        services.Party(kind=PartyKind.PERSON, name="吴丽华", id_number="330105199003030024", address="延安路418号"),
        services.Party(kind=PartyKind.PERSON, name="郑小军", id_number="330105197707070017", address="体育场路229号"),
        services.Party(kind=PartyKind.PERSON, name="孙美玲", id_number="330105199212120026", address="环城北路38号"),
    ]

    def lead(party: services.Party, facts: str, discovered: int, **kw: Any) -> Case:
        return services.create_lead(
            actor=officer,
            street=street,
            source="patrol",
            facts=facts,
            discovered_on=day(discovered),
            violation_ended_on=day(discovered),
            party=party,
            matter=matter,
            address=party.address,
            **kw,
        )

    def investigated(case: Case, started: int) -> Case:
        case = services.submit_filing(
            case, actor=officer, legal_date=day(started), handler=handler, co_handler=colleague
        )
        case = services.approve_filing(case, actor=leader, legal_date=day(started - 1), opinion="同意立案")
        services.record_investigation(
            case,
            actor=officer,
            kind=RecordKind.INSPECTION,
            officers=[handler, colleague],
            legal_date=day(started - 2),
            place="现场",
            content="现场检查：当事人在人行道上摆放经营物品，占用人行道约八平方米，现场拍照六张。",
        )
        return case

    # 1. A lead waiting to be filed, and one waiting for the head's approval.
    lead(people[0], "巡查发现武林路112号门前人行道堆放建材，占用人行道约六平方米", 2)
    waiting = lead(people[1], "巡查发现延安路418号门前设摊经营，占用人行道约五平方米", 6)
    services.submit_filing(waiting, actor=officer, legal_date=day(5), handler=handler, co_handler=colleague)

    # 2. A case in legal review (a fine beyond the benchmark: reason recorded, review required).
    review = investigated(lead(people[2], "体育场路229号店外长期占道经营，经多次劝导拒不改正", 30), 29)
    review = services.conclude(
        review,
        actor=officer,
        legal_date=day(20),
        conclusion=Conclusion.PENALTY,
        penalty=[PenaltyKind.FINE],
        fine=Decimal("20000.00"),
        discretion_reason="多次违法、拒不改正，占道面积大，按情节严重上限处罚",
    )
    services.submit_review(review, actor=officer, legal_date=day(19))

    # 3. The demo business noticed of a penalty and within its defence period (it can answer online as qiye).
    if shop is not None:
        noticed = investigated(
            lead(
                services.party_of_subject(shop),
                f"{shop.name}在店外人行道摆放桌椅经营，占用人行道约十平方米",
                12,
                subject=shop,
            ),
            11,
        )
        noticed = services.conclude(
            noticed,
            actor=officer,
            legal_date=day(6),
            conclusion=Conclusion.PENALTY,
            penalty=[PenaltyKind.FINE],
            fine=Decimal("800.00"),
        )
        services.give_notice(noticed, actor=officer, legal_date=day(0))

    # 4. Decided and served, waiting for the bank; 5. paid and closed.
    for party, paid in (
        (people[3], False),
        (services.Party(kind=PartyKind.PERSON, name="钱志远", address="中山北路99号"), True),
    ):
        case = investigated(lead(party, f"{party.address}门前人行道设摊经营，占用人行道约四平方米", 45), 44)
        case = services.conclude(
            case,
            actor=officer,
            legal_date=day(38),
            conclusion=Conclusion.PENALTY,
            penalty=[PenaltyKind.FINE],
            fine=Decimal("600.00"),
        )
        case = services.give_notice(case, actor=officer, legal_date=day(37))
        # Decided the day after the defence period ends, as the law counts it (working days: a period spanning
        # the National Day holiday ends a week later than one in November), then served the next day.
        decided_on = legal.deadline("statement_defence", day(37)).due_on + dt.timedelta(days=1)
        case = services.decide(case, actor=leader, legal_date=decided_on)
        served_on = decided_on + dt.timedelta(days=1)
        services.serve(
            case, actor=users["wulin_xieguan"], legal_date=served_on, method=ServiceMethod.DIRECT, recipient=party.name
        )
        if paid:
            services.record_payment(
                actor=DEMO_BANK,
                decision_number=case.decision_number,
                amount=Decimal("600.00"),
                received_on=served_on + dt.timedelta(days=9),
                channel=PaymentChannel.BANK,
                reference=f"DEMO-{case.pk:06d}",
            )
            case.refresh_from_db()
            services.close(case, actor=leader, legal_date=served_on + dt.timedelta(days=10))

    # 6. An on-the-spot warning on the phone (simple procedure).
    services.decide_on_spot(
        actor=officer,
        street=street,
        party=services.Party(kind=PartyKind.PERSON, name="王小明", address="武林路58号"),
        matter=matter,
        facts="在武林路58号门前人行道摆放商品，经指出后当场改正",
        address="武林路58号",
        penalty=[PenaltyKind.WARNING],
        fine=None,
        facts_clear=True,
        refused_to_sign=True,
        colleague=colleague,
    )
    # From now on a filing and a decision first go past the street team's head (承办机构负责人: the street
    # dispatcher's post), then to the agency's head — the ladder an administrator keeps in 基础数据管理.
    for step in (ApprovalStep.FILING, ApprovalStep.DECISION):
        ApprovalRung.objects.create(
            district=district, step=step, position=1, label="承办机构负责人", role=Role.STREET_DISPATCHER
        )
    return 7
