"""The case page's evidence, preservation/seizure and publication forms (issue 11 parts 8, 13): each calls its
service; a refusal is shown with its code and writes nothing."""

import datetime as dt
import hashlib
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from zhifa.cases import services
from zhifa.cases.models import ApprovalRung, Case, CaseStatus, MeasureKind, ServiceMethod
from zhifa.cases.tests import conftest as case_world
from zhifa.cases.tests.conftest import CaseWorld, filed, lead, noticed
from zhifa.org.roles import Role

cw = case_world.cw
frozen = case_world.frozen


def test_an_auxiliary_registers_evidence_with_its_file_and_its_hash(cw: CaseWorld, client_as: Any) -> None:
    case = filed(cw)
    content = b"\x89PNG evidence photo"
    response = client_as("auxiliary_a").post(
        f"/cases/{case.pk}/do/add_evidence/",
        {
            "kind": "audiovisual",
            "description": "现场照片",
            "collected_by": "甲队员",
            "collected_at": "2026-03-05T10:00",
            "collected_place": "上塘路16号",
            "file": SimpleUploadedFile("photo.png", content, content_type="image/png"),
        },
    )
    assert response.status_code == 302
    evidence = case.evidence.get()
    assert (evidence.sha256, evidence.description) == (hashlib.sha256(content).hexdigest(), "现场照片")
    page = client_as("officer_a").get(f"/cases/{case.pk}/").content.decode()
    assert evidence.sha256 in page


def test_evidence_without_a_description_is_refused_and_nothing_is_written(cw: CaseWorld, client_as: Any) -> None:
    case = filed(cw)
    response = client_as("officer_a").post(
        f"/cases/{case.pk}/do/add_evidence/",
        {"kind": "audiovisual", "description": "", "collected_by": "甲队员", "collected_at": "2026-03-05T10:00"},
    )
    assert response.status_code == 422
    assert "evidence_incomplete" in response.content.decode()
    assert not case.evidence.exists()


def test_the_head_seizes_and_releases_through_the_page(cw: CaseWorld, client_as: Any) -> None:
    case = filed(cw)
    leader = client_as("leader")
    response = leader.post(
        f"/cases/{case.pk}/do/measure/",
        {
            "legal_date": "2026-03-10",
            "kind": MeasureKind.SEIZURE,
            "items": "燃气灶一台\n液化气瓶两只",
            "place": "中队仓库",
        },
    )
    assert response.status_code == 302
    measure = case.measures.get()
    assert measure.deadline.code == "seizure"
    # An officer is not offered, and is refused, the head's measure.
    refused = client_as("officer_a").post(
        f"/cases/{case.pk}/do/measure/", {"legal_date": "2026-03-10", "kind": "seizure", "items": "x", "place": "y"}
    )
    assert refused.status_code == 403
    assert case.measures.count() == 1
    leader = client_as("leader")
    response = leader.post(
        f"/cases/{case.pk}/do/end_measure/",
        {"legal_date": "2026-03-20", "code": "seizure", "outcome": "解除扣押，退还当事人"},
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert (measure.ended_on.isoformat(), measure.outcome) == ("2026-03-20", "解除扣押，退还当事人")


def test_the_head_publishes_a_served_decision_and_the_public_page_shows_it(
    cw: CaseWorld, client_as: Any, client: Any
) -> None:
    case = services.decide(noticed(cw), actor=cw.user("leader"), legal_date=dt.date(2026, 3, 16))
    services.serve(case, actor=cw.user("officer_a"), legal_date=dt.date(2026, 3, 17), method=ServiceMethod.DIRECT)
    leader = client_as("leader")
    assert "公示处罚决定" in leader.get(f"/cases/{case.pk}/").content.decode()
    assert leader.post(f"/cases/{case.pk}/do/publish/", {}).status_code == 302
    assert Case.objects.get(pk=case.pk).is_published
    public_client = Client()
    public = public_client.get("/public/decisions/").content.decode()
    assert case.decision_number in public and "李大伟" not in public
    assert leader.post(f"/cases/{case.pk}/do/withdraw_publication/", {"reason": "决定被撤销"}).status_code == 302
    assert case.decision_number not in public_client.get("/public/decisions/").content.decode()


def test_each_rung_of_the_ladder_signs_on_the_case_page_and_the_head_approves_after(
    cw: CaseWorld, client_as: Any
) -> None:
    for position, (label, role) in enumerate(
        [("承办机构负责人", Role.STREET_DISPATCHER), ("法制审核机构", Role.LEGAL_REVIEWER)], 1
    ):
        ApprovalRung.objects.create(
            district=cw.world.district, step="filing", position=position, label=label, role=role
        )
    case = services.submit_filing(
        lead(cw),
        actor=cw.user("officer_a"),
        legal_date=dt.date(2026, 3, 3),
        handler=cw.officer,
        co_handler=cw.colleague,
    )
    # The legal section is not offered the form while the handling unit has not signed.
    assert "签署审批意见" not in client_as("legal_reviewer").get(f"/cases/{case.pk}/").content.decode()
    refused = client_as("leader").post(f"/cases/{case.pk}/do/approve_filing/", {"legal_date": "2026-03-04"})
    assert "approvals_pending" in refused.content.decode()
    dispatcher = client_as("street_dispatcher_a")
    assert "签署审批意见" in dispatcher.get(f"/cases/{case.pk}/").content.decode()
    body = {"legal_date": "2026-03-04", "step": "filing", "agree": "1", "text": "同意立案"}
    assert dispatcher.post(f"/cases/{case.pk}/do/sign/", body).status_code == 302
    reviewer = client_as("legal_reviewer")
    assert reviewer.post(f"/cases/{case.pk}/do/sign/", {**body, "text": "符合立案条件"}).status_code == 302
    assert (
        client_as("leader").post(f"/cases/{case.pk}/do/approve_filing/", {"legal_date": "2026-03-04"}).status_code
        == 302
    )
    page = client_as("leader").get(f"/cases/{case.pk}/").content.decode()
    assert "符合立案条件" in page and Case.objects.get(pk=case.pk).status == CaseStatus.INVESTIGATING
