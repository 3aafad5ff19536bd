"""Credit pages (issue 13 parts 1, 3, 7): a business sees its own file with the grade's explanation and nobody
else's; staff see files scoped as the subject pages; the scoring model page; user text shown as text."""

import datetime as dt
import html
from typing import Any

from django.test import Client

from zhifa.credit.services import credit_entry_add, credit_refresh
from zhifa.credit.tests.conftest import general_penalty, shop
from zhifa.org.accounts import second_factor_required
from zhifa.org.tests.second_factor import pass_second_factor
from zhifa.subjects.models import SubjectOwner
from zhifa.subjects.tests.factories import SubjectFactory, uscc_for


def _client(cw: Any, persona: str) -> Client:
    client = Client()
    user = cw.user(persona)
    client.force_login(user)
    if second_factor_required(user):
        pass_second_factor(client, user)
    return client


def _body(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


def test_a_business_sees_its_own_file_with_the_explanation_and_not_another_business_file(cw: Any) -> None:
    # given: the business owner's shop fined in the general procedure, another shop commended
    own = shop(cw, name="知味小吃")
    SubjectOwner.objects.create(subject=own, user=cw.user("business_owner"))
    case = general_penalty(cw, own)
    credit_refresh()
    other = SubjectFactory(district=cw.world.district, name="隔壁面馆", uscc=uscc_for(502))
    credit_entry_add(
        actor=cw.user("dispatcher"),
        subject_id=other.pk,
        kind="commendation",
        title="诚信示范店",
        occurred_on=dt.date(2026, 1, 20),
        source_reference="拱综执〔2026〕3号",
        source_authority="拱墅区综合行政执法局",
    )
    business = _client(cw, "business_owner")

    # then: its own file shows the entry with its date, source and end of showing, and the grade explained
    body = _body(business.get(f"/credit/subjects/{own.pk}/"))
    assert "C 级" in body
    assert "67.04" in body  # 80 - 15 × 0.5^(77/365)
    assert "擅自占用城市道路：罚款，罚款1000.00元" in body
    assert "2026-03-16" in body and case.decision_number in body and "2031-03-16 起不再展示" in body
    assert "查看评分模型" not in body

    # and another business's file is not found, nor the model page
    assert business.get(f"/credit/subjects/{other.pk}/").status_code == 404
    assert business.get("/credit/model/").status_code == 404


def test_staff_see_files_scoped_as_subjects_and_the_model_page(cw: Any) -> None:
    subject = shop(cw)  # in street A
    general_penalty(cw, subject)
    credit_refresh()
    assert "擅自占用城市道路" in _body(_client(cw, "officer_a").get(f"/credit/subjects/{subject.pk}/"))
    assert _client(cw, "officer_b").get(f"/credit/subjects/{subject.pk}/").status_code == 404

    body = _body(_client(cw, "dispatcher").get("/credit/model/"))
    assert "当前：第 1 版" in body
    assert "A ≥ 90.0，B ≥ 70.0，C ≥ 50.0" in body


def test_a_hostile_name_and_title_are_shown_as_text(cw: Any) -> None:
    subject = SubjectFactory(district=cw.world.district, name="<script>alert(1)</script>", uscc=uscc_for(503))
    credit_entry_add(
        actor=cw.user("dispatcher"),
        subject_id=subject.pk,
        kind="commendation",
        title="<img src=x onerror=alert(2)>",
        occurred_on=dt.date(2026, 1, 20),
        source_reference="<b>3号</b>",
        source_authority="局",
    )
    raw = _client(cw, "dispatcher").get(f"/credit/subjects/{subject.pk}/").content.decode()
    assert "<script>alert(1)" not in raw and "<img src=x" not in raw and "<b>3号" not in raw
    assert "&lt;img src=x onerror=alert(2)&gt;" in raw
