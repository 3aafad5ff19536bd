"""The home page per role (issue 16): each user's own to-do list first, scoped like every other read; the
district's figures only for the roles that run the district or a street — never "执法人员 0名" to a business."""

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import time_machine

from conftest import POINT_IN_A, POINT_IN_B, World
from zhifa.cases import services as cases
from zhifa.cases.models import Case, CaseStatus, Conclusion, PartyKind, PenaltyKind, RecordKind, SubmissionKind
from zhifa.cases.tests import conftest as case_world
from zhifa.cases.tests.conftest import PERSON, CaseWorld, concluded, lead, noticed
from zhifa.events import services
from zhifa.events.models import Event
from zhifa.events.states import EventSource
from zhifa.events.tests.conftest import officer_of, walk_to
from zhifa.org.roles import Role
from zhifa.org.tests.factories import DistrictFactory, OfficerFactory, ProfileFactory, UserFactory
from zhifa.subjects.models import SubjectOwner
from zhifa.subjects.tests.factories import SubjectFactory
from zhifa.web.tests.test_party_pages import walk_to_notice

# The case world's fixtures (the clock frozen at 1 June 2026, two certified officers, a matter with tiers).
cw = case_world.cw
frozen = case_world.frozen
HOSTILE = "<img src=x onerror=alert(1)>"


def body_of(response: Any) -> str:
    assert response.status_code == 200
    return response.content.decode()


def todo(body: str, key: str) -> str:
    match = re.search(
        rf'<div class="card todo" id="todo-{key}">(.*?)</div>\s*(?=<div class="card todo"|</section>)', body, re.S
    )
    assert match, f"no to-do list {key}"
    return match.group(1)


def count(body: str, key: str) -> int:
    match = re.search(r'<small class="todo-count">(\d+)</small>', todo(body, key))
    assert match
    return int(match.group(1))


def report(
    world: World,
    *,
    point: tuple[float, float] = POINT_IN_A,
    description: str = "仁和路口流动摊贩",
    by: str = "dispatcher",
) -> Event:
    return services.event_intake(
        actor=world.user(by),
        district=world.district,
        source=EventSource.HOTLINE if by == "dispatcher" else EventSource.API,
        description=description,
        lon=point[0],
        lat=point[1],
        reporter_user=world.user(by) if by != "dispatcher" else None,
    ).event


def test_dispatcher_sees_what_waits_for_dispatch_and_what_is_about_to_expire(world: World, client_as: Any) -> None:
    waiting = report(world, description=f"待派遣 {HOSTILE}")
    running = report(world, point=POINT_IN_B)
    services.event_dispatch(actor=world.user("dispatcher"), event=running, officers=[officer_of(world, "officer_b")])

    body = body_of(client_as("dispatcher").get("/"))

    assert count(body, "waiting") == 1 and f'id="todo-waiting-{waiting.pk}"' in todo(body, "waiting")
    assert "&lt;img src=x onerror=alert(1)&gt;" in todo(body, "waiting") and HOSTILE not in body
    # The acknowledge clock (1 minute) is due within ten minutes.
    assert count(body, "due_soon") == 1 and f'id="todo-due_soon-{running.pk}"' in todo(body, "due_soon")
    assert count(body, "overdue") == 0
    assert 'id="figure-officers"' in body  # the district's figures stay, after the lists

    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2)):
        later = body_of(client_as("dispatcher").get("/"))
    assert count(later, "overdue") == 1 and count(later, "due_soon") == 0


def test_street_dispatcher_sees_only_their_street(world: World, client_as: Any) -> None:
    in_a = report(world)
    in_b = report(world, point=POINT_IN_B)

    body = body_of(client_as("street_dispatcher_a").get("/"))

    assert count(body, "waiting") == 1
    assert f"todo-waiting-{in_a.pk}" in body and f"todo-waiting-{in_b.pk}" not in body


def test_officer_sees_their_own_tasks(world: World, client_as: Any) -> None:
    mine = report(world)
    theirs = report(world, point=POINT_IN_B)
    services.event_dispatch(actor=world.user("dispatcher"), event=mine, officers=[officer_of(world, "officer_a")])
    services.event_dispatch(actor=world.user("dispatcher"), event=theirs, officers=[officer_of(world, "officer_b")])

    body = body_of(client_as("officer_a").get("/"))

    assert count(body, "tasks") == 1
    assert f'href="/m/events/{mine.pk}/"' in todo(body, "tasks") and f"todo-tasks-{theirs.pk}" not in body
    assert 'id="figure-officers"' not in body


def test_liaison_sees_their_departments_coordination_tasks(world: World, client_as: Any) -> None:
    transferred = report(world)
    services.event_transfer(
        actor=world.user("dispatcher"), event=transferred, department=world.market_dept, instructions="请核查证照"
    )
    report(world, point=POINT_IN_B)  # not theirs

    body = body_of(client_as("liaison").get("/"))

    assert count(body, "coordination") == 1 and f"todo-coordination-{transferred.pk}" in body
    assert "执法人员" not in re.sub(r'<nav class="sidenav".*?</nav>', "", body, flags=re.S)
    assert 'id="figure-' not in body


def case_rows(body: str, key: str) -> list[str]:
    """The case links of a to-do list, in the order shown."""
    return re.findall(r'<a href="([^"]+)" class="case-no">', todo(body, key))


def in_review(cw: CaseWorld, *, filed_on: dt.date, party: cases.Party = PERSON) -> Case:
    """A case filed on ``filed_on`` (its decision deadline 90 days on, APL 60), investigated, concluded with a
    fine and submitted for legal review."""
    case = lead(cw, party=party, discovered_on=filed_on - dt.timedelta(days=2))
    officer = cw.user("officer_a")
    case = cases.submit_filing(
        case, actor=officer, legal_date=filed_on - dt.timedelta(days=1), handler=cw.officer, co_handler=cw.colleague
    )
    case = cases.approve_filing(case, actor=cw.user("leader"), legal_date=filed_on, opinion="同意立案")
    cases.record_investigation(
        case,
        actor=officer,
        kind=RecordKind.INSPECTION,
        officers=[cw.officer, cw.colleague],
        legal_date=filed_on + dt.timedelta(days=1),
        place="上塘路16号",
        content="现场检查：人行道上摆放货架三组",
    )
    legal_date = filed_on + dt.timedelta(days=5)
    case = cases.conclude(
        case,
        actor=officer,
        legal_date=legal_date,
        conclusion=Conclusion.PENALTY,
        penalty=[PenaltyKind.FINE],
        fine=Decimal("1000.00"),
        needs_legal_review=True,
    )
    return cases.submit_review(case, actor=officer, legal_date=legal_date)


def heard(cw: CaseWorld) -> Case:
    """A fine of 5,000 yuan on a person: a hearing requested, notified and held — its review after the hearing
    (APL 58 (3)) pending."""
    case = noticed(cw, fine="5000.00")
    officer = cw.user("officer_a")
    cases.party_submission(
        case, actor=officer, kind=SubmissionKind.HEARING_REQUEST, text="申请听证", received_on=dt.date(2026, 3, 11)
    )
    chair = OfficerFactory(
        district=cw.world.district,
        name="听证主持人",
        home_department=cw.world.enforcement_dept,
        street=cw.world.street_a,
    )
    cases.notify_hearing(
        case, actor=officer, legal_date=dt.date(2026, 3, 12), chair=chair, hearing_on=dt.date(2026, 3, 19)
    )
    case = cases.hold_hearing(case, actor=officer, legal_date=dt.date(2026, 3, 19), record="当事人到场陈述，承认事实")
    assert (case.status, case.needs_legal_review) == (CaseStatus.HEARD, True)
    return case


def test_legal_reviewer_sees_the_review_queue_decision_deadline_first(
    cw: CaseWorld, client_as: Any, sign_in: Any
) -> None:
    # Given: a case filed 4 March (decision due 2 June), a heard case awaiting its review after the hearing, a
    # case filed 24 February whose decision deadline (25 May) has passed, and a case concluded but not submitted
    later = in_review(cw, filed_on=dt.date(2026, 3, 4), party=cases.Party(kind=PartyKind.PERSON, name=HOSTILE))
    after_hearing = heard(cw)
    overdue = in_review(cw, filed_on=dt.date(2026, 2, 24))
    not_submitted = concluded(cw)

    body = body_of(client_as("legal_reviewer").get("/"))

    # Then the reviewer's list holds the three waiting for review, the overdue decision deadline first
    assert count(body, "review") == 3
    assert case_rows(body, "review") == [f"/cases/{c.pk}/" for c in (overdue, later, after_hearing)]
    assert f"todo-review-{not_submitted.pk}" not in body
    [decision] = overdue.deadlines.filter(code="decision")
    row = todo(body, "review").split(f'id="todo-review-{overdue.pk}"')[1].split("</div>")[0]
    assert f"作出处罚决定期限至 {decision.due_on:%Y-%m-%d}" in row and "已逾期" in row
    assert "听证已举行" in todo(body, "review") and "法制审核中" in todo(body, "review")
    # The party's name is shown as text; the list opens the review queue, which lists the same cases in order
    assert "&lt;img src=x onerror=alert(1)&gt;" in todo(body, "review") and HOSTILE not in body
    assert 'href="/cases/review/"' in todo(body, "review")
    queue = client_as("legal_reviewer").get("/cases/review/").content.decode()
    assert re.findall(r'<a href="(/cases/\d+/)">', queue) == case_rows(body, "review")
    assert 'id="figure-' not in body

    # When the review after the hearing passes, that case leaves the list
    cases.review(
        after_hearing, actor=cw.user("legal_reviewer"), legal_date=dt.date(2026, 3, 20), passed=True, opinion="同意"
    )
    body = body_of(client_as("legal_reviewer").get("/"))
    assert case_rows(body, "review") == [f"/cases/{overdue.pk}/", f"/cases/{later.pk}/"]

    # And a legal reviewer of another district sees none of this district's cases
    elsewhere = UserFactory(username="reviewer_elsewhere")
    ProfileFactory(
        user=elsewhere,
        district=DistrictFactory(code="330106", name="西湖区"),
        role=Role.LEGAL_REVIEWER,
        display_name="乙区法制",
    )
    body = body_of(sign_in(elsewhere).get("/"))
    assert count(body, "review") == 0 and "暂无待法制审核的案件" in todo(body, "review")


def own(cw: CaseWorld, owner: Any, name: str) -> Case:
    """A case against a shop ``owner`` runs, noticed on 27 May (its statement and defence window running)."""
    subject = SubjectFactory(district=cw.world.district, name=name)
    SubjectOwner.objects.create(subject=subject, user=owner)
    case = lead(cw, party=cases.party_of_subject(subject), subject=subject)
    return walk_to_notice(cw, case, fine="1000.00", penalty=[PenaltyKind.FINE], on=dt.date(2026, 5, 27))


def test_business_owner_sees_its_own_cases_and_their_deadlines_never_anothers(
    cw: CaseWorld, client_as: Any, sign_in: Any
) -> None:
    # Given: the business owner's shop has a case noticed on 27 May and a fine served in March, unpaid
    noticed_case = own(cw, cw.user("business_owner"), f"知味小吃店{HOSTILE}")
    unpaid = own(cw, cw.user("business_owner"), "知味小吃店二店")
    cases.party_submission(
        unpaid, actor=cw.user("officer_a"), kind=SubmissionKind.WAIVER, text="放弃", received_on=dt.date(2026, 5, 28)
    )
    unpaid = cases.decide(unpaid, actor=cw.user("leader"), legal_date=dt.date(2026, 5, 28))
    cases.serve(unpaid, actor=cw.user("officer_a"), legal_date=dt.date(2026, 5, 29), method="direct")
    # another business's case, and a person's
    other_owner = UserFactory(username="other_owner")
    ProfileFactory(user=other_owner, district=cw.world.district, role=Role.BUSINESS_OWNER, display_name="别家")
    anothers = own(cw, other_owner, "隔壁面馆")
    persons = noticed(cw)

    body = body_of(client_as("business_owner").get("/"))

    # Then its two cases are listed, linking to its own case pages, the nearer last day first
    assert count(body, "cases") == 2
    statement = noticed_case.deadlines.get(code="statement_defence")
    payment = unpaid.deadlines.get(code="payment")
    assert statement.due_on == dt.date(2026, 6, 1) and payment.due_on > statement.due_on
    assert case_rows(body, "cases") == [f"/my/cases/{noticed_case.pk}/", f"/my/cases/{unpaid.pk}/"]
    rows = todo(body, "cases")
    assert "陈述、申辩期限至 2026-06-01" in rows
    assert f"缴纳罚款期限至 {payment.due_on:%Y-%m-%d}" in rows and unpaid.decision_number in rows
    assert "知味小吃店&lt;img src=x onerror=alert(1)&gt;" in rows and HOSTILE not in body
    assert 'href="/my/cases/"' in rows
    # never another business's, nor a person's
    for case in (anothers, persons):
        assert f"todo-cases-{case.pk}" not in body and f"/cases/{case.pk}/" not in body
    assert "隔壁面馆" not in body
    # and the other business sees its own only
    theirs = body_of(sign_in(other_owner).get("/"))
    assert case_rows(theirs, "cases") == [f"/my/cases/{anothers.pk}/"]


def test_business_owner_sees_their_own_reports_and_notices_never_staff_figures(world: World, client_as: Any) -> None:
    own = report(world, by="business_owner", description="门前下水道堵塞")
    other = report(world, description="别人上报的事件")

    body = body_of(client_as("business_owner").get("/"))

    assert count(body, "reports") == 1
    assert f"todo-reports-{own.pk}" in body and f"todo-reports-{other.pk}" not in body
    assert count(body, "notices") == 0 and "暂无通知" in todo(body, "notices")
    content = re.sub(r'<nav class="sidenav".*?</nav>', "", body, flags=re.S)
    assert "执法人员" not in content and "0名" not in content
    assert 'id="figure-' not in body


def test_leader_keeps_the_district_figures(world: World, client_as: Any) -> None:
    body = body_of(client_as("leader").get("/"))
    assert 'id="figure-officers"' in body and 'id="figure-sinking"' in body


def figure(body: str, key: str) -> str:
    match = re.search(rf'<div class="figure" id="figure-{key}">(.*?)</div>\s*</div>', body, re.S)
    assert match, f"no figure {key}"
    return re.sub(r"<[^>]+>|\s+", "", match.group(1))


def test_leader_sees_overdue_open_by_status_and_todays_new_and_closed_scoped(world: World, client_as: Any) -> None:
    # Given, today: one event waiting in street A, one dispatched in street B, and one of A closed
    report(world)
    running = report(world, point=POINT_IN_B)
    services.event_dispatch(actor=world.user("dispatcher"), event=running, officers=[officer_of(world, "officer_b")])
    walk_to(world, "closed")

    # When the leader opens the home page two minutes later (the acknowledge clock of 1 minute has run out)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2)):
        body = body_of(client_as("leader").get("/"))
        street_a = body_of(client_as("street_dispatcher_a").get("/"))

    # Then the district's overdue count, the open events by status and today's new / closed are shown
    assert figure(body, "overdue") == "已超时事件1件在办事件中已过当前时限"
    assert figure(body, "open").startswith("在办事件2件")
    assert figure(body, "open") == "在办事件2件已研判1·已派遣1"
    assert figure(body, "today").startswith("今日新增/结案3件/1件")
    # The leader may not open the command queue: the overdue figure is no link to it
    assert "?clock=overdue" not in body
    # And a street dispatcher's figures count their own street only, the overdue one linking to the queue
    assert figure(street_a, "overdue").startswith("已超时事件0件")
    assert figure(street_a, "open").startswith("在办事件1件")
    assert figure(street_a, "today").startswith("今日新增/结案2件/1件")
    assert "/command/?clock=overdue" in street_a


def test_a_business_is_not_offered_the_roster_or_the_district_map(world: World, client_as: Any) -> None:
    business = client_as("business_owner").get("/").content.decode()
    dispatcher = client_as("dispatcher").get("/").content.decode()

    assert ("执法人员</a>" in business, "一张图</a>" in business) == (False, False)
    assert ("执法人员</a>" in dispatcher, "一张图</a>" in dispatcher) == (True, True)
