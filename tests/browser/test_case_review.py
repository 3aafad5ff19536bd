"""Issue 11 proof: the legal reviewer approving a case in the browser. She signs in with her password and the
six digits of her authenticator (the second factor her post requires), opens her review queue, opens the case,
passes the review with an opinion; the case then shows 法制审核通过 and the opinion on its timeline. The party's
name, hostile markup, is shown as text and runs nothing."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import World
from tests.browser.conftest import login_with_second_factor
from zhifa.cases import services
from zhifa.cases.models import Case, CaseStatus, Conclusion, LegalReview, PartyKind, PenaltyKind, RecordKind
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.org.models import Officer
from zhifa.org.tests.factories import OfficerFactory

HOSTILE = "<script>alert(1)</script>"
OPINION = "事实清楚，证据确凿，程序合法，拟处罚适当，同意。"


@pytest.fixture
def case_in_review(world: World) -> Case:
    """A case submitted for legal review, every step through its service with its legal date (March 2026)."""
    officer = Officer.objects.get(user=world.user("officer_a"))
    colleague = OfficerFactory(
        district=world.district, name="甲二队员", home_department=world.enforcement_dept, street=world.street_a
    )
    matter = MatterFactory(department=world.enforcement_dept, name="擅自占用城市道路")
    handler = world.user("officer_a")
    case = services.create_lead(
        actor=handler,
        street=world.street_a,
        source="patrol",
        facts="在上塘路16号门前人行道摆摊设点",
        discovered_on=dt.date(2026, 3, 2),
        violation_ended_on=dt.date(2026, 3, 2),
        party=services.Party(kind=PartyKind.PERSON, name=HOSTILE),
        matter=matter,
        address="上塘路16号",
    )
    case = services.submit_filing(
        case, actor=handler, legal_date=dt.date(2026, 3, 3), handler=officer, co_handler=colleague
    )
    case = services.approve_filing(case, actor=world.user("leader"), legal_date=dt.date(2026, 3, 4))
    services.record_investigation(
        case,
        actor=handler,
        kind=RecordKind.INSPECTION,
        officers=[officer, colleague],
        legal_date=dt.date(2026, 3, 5),
        place="上塘路16号",
        content="现场检查：人行道上摆放货架三组",
    )
    case = services.conclude(
        case,
        actor=handler,
        legal_date=dt.date(2026, 3, 9),
        conclusion=Conclusion.PENALTY,
        penalty=[PenaltyKind.FINE],
        fine=Decimal("1000.00"),
        needs_legal_review=True,
    )
    return services.submit_review(case, actor=handler, legal_date=dt.date(2026, 3, 9))


def test_legal_reviewer_passes_a_case_in_the_browser(
    live_server: Any, world: World, case_in_review: Case, watched: tuple[Any, list[str]]
) -> None:
    page, dialogs = watched
    reviewer = world.user("legal_reviewer")

    # Given: signed in with the password, then the authenticator's six digits.
    login_with_second_factor(page, live_server.url, reviewer)

    # When: her queue, the case, 法制审核通过 with an opinion.
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="法制审核").click()
    row = page.locator("table.queue tbody tr", has_text=case_in_review.number)
    expect(row.locator("td.party")).to_have_text(HOSTILE)
    row.get_by_role("link", name=case_in_review.number).click()
    expect(page.locator("#case-status")).to_have_text("法制审核中")
    expect(page.locator("#case-header dd.party")).to_contain_text(HOSTILE)
    action = page.locator("details.action-pass_review")
    action.locator("summary").click()
    action.get_by_label("审核意见").fill(OPINION)
    action.get_by_role("button", name="法制审核通过").click()

    # Then: the case is reviewed and its timeline shows the step with the opinion.
    expect(page.locator("#case-status")).to_have_text("法制审核通过")
    step = page.locator("#timeline tr.step-pass_review")
    expect(step.locator("td.step-label")).to_contain_text("法制审核通过")
    expect(step.locator("td.reason")).to_have_text(OPINION)
    expect(page.locator("#reviews td.opinion")).to_have_text(OPINION)
    case_in_review.refresh_from_db()
    assert case_in_review.status == CaseStatus.REVIEWED
    assert list(LegalReview.objects.values_list("reviewer__username", "opinion")) == [("legal_reviewer", OPINION)]
    # The hostile name was text everywhere: nothing ran, no dialog opened.
    assert page.evaluate("() => document.querySelectorAll('main script').length") == 0
    assert dialogs == []
