"""A business objects to an entry of its credit file and the credit administrator upholds it (issue 13 parts 6, 7):
the business goes from its home page to 我的信用, its shop, the entry's 提出异议, writes its reasons and attaches a PDF;
the entry shows 异议中; the legal reviewer (a credit administrator, second factor) opens 信用管理, the objection, and
upholds it (fact error: deleted); the business then sees the entry gone, its grade recomputed (C → B) and the
objection 已更正. A shop name and reasons typed as markup are shown as those characters; no dialog, no script run,
no CSP violation."""

import datetime as dt
from typing import Any

from django.utils import timezone
from playwright.sync_api import expect

from conftest import World
from tests.browser.conftest import WATCH, login, login_with_second_factor
from zhifa.credit.models import CreditEntry, CreditGrade, CreditObjection, EntryKind, SourceType
from zhifa.credit.services import credit_grades_recompute, years_after
from zhifa.credit.states import ObjectionStatus
from zhifa.subjects.models import SubjectOwner
from zhifa.subjects.tests.factories import SubjectFactory, uscc_for

HOSTILE = "<img src=x onerror=__xss=1>"


def test_a_business_objects_and_the_administrator_upholds_it(
    live_server: Any, world: World, browser: Any, watched: Any, tmp_path: Any
) -> None:
    page, dialogs = watched
    shop = SubjectFactory(district=world.district, name=f"{HOSTILE}小吃", uscc=uscc_for(611))
    SubjectOwner.objects.create(subject=shop, user=world.user("business_owner"))
    # A penalty decided 30 days ago, as the refresh would have written it from the served decision.
    decided = timezone.localdate() - dt.timedelta(days=30)
    entry = CreditEntry.objects.create(
        district=world.district,
        holder_key=shop.uscc,
        holder_name=shop.name,
        kind=EntryKind.PENALTY,
        category="negative",
        title="擅自占用城市道路：罚款，罚款1000.00元",
        occurred_on=decided,
        expires_on=years_after(decided, 5),
        legal_basis="《城市道路管理条例》",
        source_type=SourceType.DOCUMENT,
        source_reference="杭拱综执罚决字〔2026〕第0007号",
        source_authority="拱墅区综合行政执法局",
    )
    credit_grades_recompute(district_id=world.district.pk, holder_keys=[shop.uscc])
    assert CreditGrade.objects.get(is_current=True).grade == "C"  # 80 − 15 × 0.5^(30/365) ≈ 65.8
    evidence = tmp_path / "营业执照.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% evidence\n")

    # the business: home → 我的信用 → its shop → 提出异议
    login(page, live_server.url, "business_owner")
    page.locator("#my-credit-link").click()
    page.get_by_role("link", name=f"{HOSTILE}小吃").click()
    expect(page.locator("h1")).to_contain_text(f"{HOSTILE}小吃")
    expect(page.locator("#my-grade .tag").first).to_have_text("C 级")
    page.locator(f"#entry-{entry.pk}").get_by_role("link", name="提出异议").click()
    page.get_by_label("异议理由").fill(f"{HOSTILE}该处罚对象并非本店")
    page.locator("#objection-attachments").set_input_files(str(evidence))
    page.locator("#objection-submit").click()
    expect(page.locator(f"#entry-{entry.pk} .objection-open")).to_have_text("异议中")
    objection = CreditObjection.objects.get()
    expect(page.locator(f"#objection-{objection.pk} .objection-reasons")).to_have_text(f"{HOSTILE}该处罚对象并非本店")
    expect(page.locator(f"#objection-{objection.pk} .objection-status")).to_have_text("审核中")

    # the credit administrator (legal reviewer, second factor): 信用管理 → the objection → uphold
    staff_context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1400, "height": 900}
    )
    staff_context.add_init_script(WATCH)
    staff = staff_context.new_page()
    staff_dialogs: list[str] = []
    staff.on("dialog", lambda d: (staff_dialogs.append(d.message), d.dismiss()))
    login_with_second_factor(staff, live_server.url, world.user("legal_reviewer"))
    staff.goto(f"{live_server.url}/credit/procedures/")
    row = staff.locator(f"#queue-objection-{objection.pk}")
    expect(row.locator(".subject-name")).to_have_text(f"{HOSTILE}小吃")
    row.get_by_role("link", name=f"{HOSTILE}小吃").click()
    expect(staff.locator("#objection-reasons")).to_have_text(f"{HOSTILE}该处罚对象并非本店")
    expect(staff.get_by_role("link", name="营业执照.pdf")).to_be_visible()
    staff.get_by_label("处理方式（ZJC 30）").select_option("delete")
    staff.locator("#correct-reason").fill("经核实，处罚决定的当事人为另一家同名店铺")
    staff.locator("#objection-uphold").click()
    expect(staff.locator("#objection-status")).to_have_text("已更正")
    assert staff.evaluate("() => window.__violations") == []
    assert staff.evaluate("() => typeof window.__xss") == "undefined"
    assert staff_dialogs == []
    staff_context.close()

    # the business sees the entry gone, the grade recomputed, the objection decided
    page.reload()
    expect(page.locator(f"#entry-{entry.pk}")).to_have_count(0)
    expect(page.locator("#my-grade .tag").first).to_have_text("B 级")
    expect(page.locator(f"#objection-{objection.pk} .objection-status")).to_have_text("已更正")
    expect(page.locator("main img")).to_have_count(0)
    assert page.evaluate("() => window.__violations") == []
    assert page.evaluate("() => typeof window.__xss") == "undefined"
    assert dialogs == []
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.CORRECTED
