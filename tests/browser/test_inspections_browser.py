"""A department liaison makes a quarter's inspection plan, runs the 双随机 draw and reads the seed and the
drawn subjects (issue 12 part 2) — a subject's name and an officer's, typed as markup, shown as those
characters — and the public page shows the plan with the names masked, nothing running anywhere."""

from typing import Any

from playwright.sync_api import expect

from conftest import World
from tests.browser.conftest import login
from zhifa.catalog.models import Domain
from zhifa.catalog.tests.factories import MatterFactory
from zhifa.inspections.models import InspectionPlan
from zhifa.org.tests.factories import OfficerFactory
from zhifa.subjects.tests.factories import SubjectFactory

HOSTILE = "<img src=x onerror=__xss=1>"


def test_a_liaison_plans_draws_and_the_public_sees_the_masked_result(live_server: Any, world: World, page: Any) -> None:
    MatterFactory(department=world.market_dept, domain=Domain.MARKET, subject_categories=["catering"])
    for name in (HOSTILE, "市监甲"):
        OfficerFactory(
            district=world.district, home_department=world.market_dept, name=name, certified_domains=["market"]
        )
    SubjectFactory(district=world.district, name=f"{HOSTILE}餐厅")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    login(page, live_server.url, "liaison")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="抽查计划").click()
    page.get_by_role("link", name="制定抽查计划").click()
    page.get_by_label("计划名称").fill("2026年第一季度餐饮抽查")
    page.get_by_label("起始日期").fill("2026-01-01")
    page.get_by_label("截止日期").fill("2026-03-31")
    page.get_by_label("抽查比例").fill("100")
    page.get_by_role("button", name="保存计划").click()
    expect(page.locator(".notice.ok")).to_contain_text("已制定抽查计划")

    page.get_by_label("公开随机值").fill("福彩3D 2026001期 385")
    page.get_by_role("button", name="抽取对象和检查人员").click()
    expect(page.locator(".notice.ok")).to_contain_text("已完成双随机抽取")
    plan = InspectionPlan.objects.get()
    expect(page.locator("#seed")).to_have_text(plan.seed)
    table = page.locator("table.drawn-subjects tbody")
    expect(table).to_contain_text(f"{HOSTILE}餐厅")
    expect(table.locator("td.inspectors")).to_contain_text(HOSTILE)
    expect(page.locator("main img")).to_have_count(0)

    page.goto(f"{live_server.url}/public/inspections/")
    section = page.locator(f"#plan-{plan.pk}")
    expect(section.locator(".seed")).to_have_text(plan.seed)
    expect(section.locator("td.subject-name")).to_have_text("<＊＊＊＊＊＊＊＊＊＊＊＊＊＊＊＊＊＊＊＊＊＊＊＊＊＊餐厅")
    expect(page.locator("main")).not_to_contain_text("市监甲")
    assert page.evaluate("() => typeof window.__xss") == "undefined"
    assert dialogs == []
