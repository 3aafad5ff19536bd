"""信用承诺 (issue 13 part 2): a business signs the current version of its template; a later general-procedure penalty
decision on the same matter breaks it — negative information with the commitment as its source, scored."""

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from zhifa.core.errors import DomainError
from zhifa.credit.commitments import commitment_breaches_scan, commitment_sign, commitment_template_create
from zhifa.credit.models import Commitment, CommitmentTemplate, CreditEntry, CreditGrade
from zhifa.credit.tests.conftest import at, footprint, general_penalty, shop
from zhifa.inspections.models import InspectionFinding, JointInspection
from zhifa.inspections.states import VisitStatus
from zhifa.inspections.tests.visit_fixtures import version
from zhifa.org.tests.factories import OfficerFactory
from zhifa.subjects.models import SubjectOwner

TEXT = "本单位承诺：不占用城市道路经营，不在门前堆放物品。"


def _template(cw: Any, **kw: Any) -> Any:
    return commitment_template_create(
        actor=cw.user("dispatcher"),
        code="ZD-01",
        title="门前三包承诺书",
        text=TEXT,
        legal_basis="《浙江省公共信用信息管理条例》",
        matter_id=cw.matter.pk,
        **kw,
    )


def _owned_shop(cw: Any, n: int = 501, name: str = "杭州知味小吃有限公司") -> Any:
    subject = shop(cw, n, name)
    SubjectOwner.objects.create(subject=subject, user=cw.user("business_owner"))
    return subject


def test_a_commitment_broken_by_a_later_general_penalty_becomes_negative_information_with_its_source(cw: Any) -> None:
    # given: the business signed the commitment on 1 March 2026; a general-procedure fine on the same matter is
    # decided on 16 March and served on the 17th
    template = _template(cw)
    subject = _owned_shop(cw)
    with at(dt.date(2026, 3, 1)):
        commitment = commitment_sign(actor=cw.user("business_owner"), subject_id=subject.pk, template_id=template.pk)
    assert (commitment.template_version, commitment.text, commitment.signed_by) == (1, TEXT, cw.user("business_owner"))
    case = general_penalty(cw, subject)

    # when: the scan runs (twice: the second breaks nothing)
    assert commitment_breaches_scan() == 1
    assert commitment_breaches_scan() == 0

    # then: the commitment is broken on the decision's date, and one negative entry has it as its source
    commitment.refresh_from_db()
    assert (commitment.status, commitment.broken_on, commitment.broken_by) == (
        "broken",
        dt.date(2026, 3, 16),
        f"行政处罚决定 {case.decision_number}",
    )
    entry = CreditEntry.objects.get(kind="commitment_broken")
    assert (
        entry.holder_key,
        entry.category,
        entry.occurred_on,
        entry.expires_on,
        entry.legal_basis,
        entry.source_type,
        entry.source_id,
        entry.source_reference,
    ) == (
        subject.uscc,
        "negative",
        dt.date(2026, 3, 16),
        dt.date(2031, 3, 16),
        "《浙江省公共信用信息管理条例》",
        "commitment",
        commitment.pk,
        "门前三包承诺书（第1版）",
    )
    # and the grade counts it: 80 − 15 × 0.5^(77/365) = 67.04 → C
    grade = CreditGrade.objects.get(holder_key=subject.uscc, is_current=True)
    assert (grade.score, grade.grade) == (67.04, "C")
    assert [line["kind"] for line in grade.explanation] == ["commitment_broken"]


def test_a_commitment_signed_after_the_decision_is_not_broken_by_it(cw: Any) -> None:
    template = _template(cw)
    subject = _owned_shop(cw)
    general_penalty(cw, subject)  # decided 16 March
    with at(dt.date(2026, 3, 20)):
        commitment_sign(actor=cw.user("business_owner"), subject_id=subject.pk, template_id=template.pk)
    assert commitment_breaches_scan() == 0
    assert Commitment.objects.get().status == "signed"
    assert not CreditEntry.objects.filter(kind="commitment_broken").exists()


def test_only_the_subjects_own_business_signs_once_the_current_version(cw: Any) -> None:
    old = _template(cw)
    current = _template(cw)  # version 2 of the same code: version 1 is no longer offered
    mine = _owned_shop(cw)
    other = shop(cw, 502, "别家饭店")
    before = (footprint(), Commitment.objects.count())
    refusals = [
        (cw.user("dispatcher"), mine.pk, current.pk, "commitment_sign_forbidden"),
        (cw.user("business_owner"), other.pk, current.pk, "subject_not_found"),
        (cw.user("business_owner"), mine.pk, old.pk, "commitment_template_not_applicable"),
    ]
    for actor, subject_id, template_id, code in refusals:
        with pytest.raises(DomainError) as refused:
            commitment_sign(actor=actor, subject_id=subject_id, template_id=template_id)
        assert refused.value.code == code
    assert (footprint(), Commitment.objects.count()) == before
    commitment_sign(actor=cw.user("business_owner"), subject_id=mine.pk, template_id=current.pk)
    with pytest.raises(DomainError) as refused:
        commitment_sign(actor=cw.user("business_owner"), subject_id=mine.pk, template_id=current.pk)
    assert refused.value.code == "commitment_already_signed"
    assert Commitment.objects.count() == 1


def test_the_business_signs_on_its_page_and_its_home_shows_what_is_left(cw: Any) -> None:
    template = _template(cw)
    subject = _owned_shop(cw, name="<img src=x onerror=alert(1)>小吃")
    client = Client()
    client.force_login(cw.user("business_owner"))
    home = client.get("/").content.decode()
    assert "待签署承诺书 1 份" in home
    assert "&lt;img src=x onerror=alert(1)&gt;小吃" in home and "<img src=x" not in home
    page = client.get(f"/credit/subjects/{subject.pk}/commitments/").content.decode()
    assert "门前三包承诺书" in page and TEXT in page
    response = client.post(f"/credit/subjects/{subject.pk}/commitments/", {"template": template.pk})
    assert response.status_code == 302
    assert Commitment.objects.get().subject == subject
    assert "承诺书已全部签署" in client.get("/").content.decode()
    # another business's subject: not found, nothing signed
    other = shop(cw, 503, "别家饭店")
    assert client.post(f"/credit/subjects/{other.pk}/commitments/", {"template": template.pk}).status_code == 404
    assert Commitment.objects.count() == 1


def test_a_finding_of_a_signed_inspection_on_the_matter_breaks_the_commitment(cw: Any) -> None:
    # given: signed on 1 March; a signed joint inspection on 20 April found a problem on an item of the same matter
    template = _template(cw)
    subject = _owned_shop(cw)
    with at(dt.date(2026, 3, 1)):
        commitment = commitment_sign(actor=cw.user("business_owner"), subject_id=subject.pk, template_id=template.pk)
    item = version(cw.matter, [("门前无占道经营", False)])[0]
    officer = OfficerFactory(district=cw.world.district, home_department=cw.world.enforcement_dept)

    def finding(status: str, day: int) -> None:
        visit = JointInspection.objects.create(
            district=cw.world.district,
            subject=subject,
            street=cw.world.street_a,
            earliest=dt.date(2026, 4, day),
            latest=dt.date(2026, 4, day),
            status=status,
            merged_by="测试",
        )
        InspectionFinding.objects.create(
            inspection=visit,
            item=item,
            department=cw.world.enforcement_dept,
            severity="general",
            description="门前堆放货物",
            recorded_by=officer,
            recorded_at=dt.datetime(2026, 4, day, 2, 0, tzinfo=dt.UTC),
        )

    finding(VisitStatus.STARTED, 10)  # a record not yet signed breaks nothing
    assert commitment_breaches_scan() == 0
    finding(VisitStatus.SIGNED, 20)

    # when / then: broken on the finding's day, with the commitment as the entry's source
    assert commitment_breaches_scan() == 1
    commitment.refresh_from_db()
    assert (commitment.status, commitment.broken_on) == ("broken", dt.date(2026, 4, 20))
    entry = CreditEntry.objects.get(kind="commitment_broken")
    assert (entry.source_type, entry.source_id, entry.occurred_on) == (
        "commitment",
        commitment.pk,
        dt.date(2026, 4, 20),
    )


def test_the_command_centre_makes_a_new_version_on_the_templates_page_and_others_cannot(cw: Any) -> None:
    client = Client()
    client.force_login(cw.user("dispatcher"))
    form = {
        "code": "ZD-01",
        "title": "<b>门前三包</b>承诺书",
        "matter": cw.matter.pk,
        "text": TEXT,
        "legal_basis": "《浙江省公共信用信息管理条例》",
    }
    assert client.post("/credit/commitment-templates/", form).status_code == 302
    assert client.post("/credit/commitment-templates/", form).status_code == 302
    page = client.get("/credit/commitment-templates/").content.decode()
    assert "&lt;b&gt;门前三包&lt;/b&gt;承诺书" in page and "<b>门前三包" not in page
    rows = list(CommitmentTemplate.objects.order_by("version").values_list("code", "version", "is_active"))
    assert rows == [("ZD-01", 1, False), ("ZD-01", 2, True)]
    # refused: no matter (writes nothing, says why); a liaison may read but not make; a business has no page
    before = CommitmentTemplate.objects.count()
    refused = client.post("/credit/commitment-templates/", {**form, "matter": ""})
    assert refused.status_code == 422 and "commitment_template_matter_required" in refused.content.decode()
    client.force_login(cw.user("liaison"))
    assert client.get("/credit/commitment-templates/").status_code == 200
    assert client.post("/credit/commitment-templates/", form).status_code == 403
    client.force_login(cw.user("business_owner"))
    assert client.get("/credit/commitment-templates/").status_code == 404
    assert CommitmentTemplate.objects.count() == before
