"""Evidence, measures and deadlines through /api/v1/cases: each call is its service's, with its refusals."""

import datetime as dt
import hashlib

from django.core.files.uploadedfile import SimpleUploadedFile

from zhifa.cases.models import Case
from zhifa.cases.tests.conftest import CaseWorld, bearer, filed
from zhifa.core.models import AuditEntry

URL = "/api/v1/cases"


def test_apl_46_an_auxiliary_collects_evidence_kept_with_its_sha256_and_custody(cw: CaseWorld) -> None:
    case = filed(cw)
    content = b"\x89PNG\r\n\x1a\n photo of the stall"

    response = bearer(cw.user("auxiliary_a")).post(
        f"{URL}/{case.pk}/evidence",
        {
            "kind": "audiovisual",
            "description": "摊位照片",
            "collected_by": "甲二队员",
            "collected_at": "2026-03-05T09:30:00+08:00",
            "collected_place": "上塘路16号",
            "file": SimpleUploadedFile("stall.png", content, content_type="image/png"),
        },
    )

    assert response.status_code == 201, response.json()
    [evidence] = response.json()["evidence"]
    assert (evidence["kind"], evidence["sha256"]) == ("audiovisual", hashlib.sha256(content).hexdigest())
    assert [(c["action"], c["holder"]) for c in evidence["custody"]] == [("收集", "甲二队员")]


def test_acl_25_a_seizure_is_the_heads_and_is_extended_once(cw: CaseWorld) -> None:
    case = filed(cw)
    officer, leader = bearer(cw.user("officer_a")), bearer(cw.user("leader"))
    body = {"legal_date": "2026-03-05", "kind": "seizure", "items": "货架三组", "place": "本局暂扣物品仓库"}
    audit = AuditEntry.objects.count()

    by_officer = officer.post(f"{URL}/{case.pk}/measures", body, content_type="application/json")
    assert (by_officer.status_code, by_officer.json()["code"]) == (403, "permission_denied")
    assert (Case.objects.get(pk=case.pk).measures.count(), AuditEntry.objects.count()) == (0, audit)

    started = leader.post(f"{URL}/{case.pk}/measures", body, content_type="application/json")
    assert started.status_code == 201, started.json()
    [measure] = started.json()["measures"]
    # 30 days from 5 March end on Saturday 4 April, within the Qingming holiday (4–6 April): rolled to 7 April.
    assert (measure["kind"], measure["due_on"]) == ("seizure", "2026-04-07")

    extend = {"days": 30, "reason": "案情复杂"}
    first = leader.post(f"{URL}/{case.pk}/measures/{measure['id']}/extend", extend, content_type="application/json")
    again = leader.post(f"{URL}/{case.pk}/measures/{measure['id']}/extend", extend, content_type="application/json")
    # 60 days from 5 March end on 4 May, within the Labour Day holiday (1–5 May): rolled to 6 May.
    assert (first.status_code, first.json()["measures"][0]["due_on"]) == (200, "2026-05-06")
    assert (again.status_code, again.json()["code"]) == (409, "seizure_already_extended")


def test_apl_60_the_decision_deadline_is_extended_with_a_reason(cw: CaseWorld) -> None:
    case = filed(cw)  # filed on 4 March: decision due 2 June

    response = bearer(cw.user("leader")).post(
        f"{URL}/{case.pk}/deadlines/decision/extend",
        {"legal_date": "2026-05-29", "days": 30, "reason": "案情复杂，需补充鉴定"},
        content_type="application/json",
    )

    assert response.status_code == 200, response.json()
    decision = next(d for d in response.json()["deadlines"] if d["code"] == "decision")
    assert (decision["due_on"], decision["extended_days"]) == ("2026-07-02", 30)
    assert dt.date.fromisoformat(decision["starts_on"]) == dt.date(2026, 3, 4)


def test_a_moment_without_an_offset_is_local_time_and_a_nul_in_a_path_is_refused(cw: CaseWorld) -> None:
    case = filed(cw)
    officer = bearer(cw.user("officer_a"))

    added = officer.post(
        f"{URL}/{case.pk}/evidence",
        {
            "kind": "documentary",
            "description": "营业执照复印件",
            "collected_by": "甲队员",
            "collected_at": "2026-03-05T09:30:00",
        },
    )
    nul = bearer(cw.user("leader")).post(
        f"{URL}/{case.pk}/deadlines/dec%00ision/suspend",
        {"since": "2026-03-05", "reason": "鉴定"},
        content_type="application/json",
    )

    assert added.status_code == 201, added.json()
    assert added.json()["evidence"][0]["collected_at"] == "2026-03-05T01:30:00Z"  # 09:30 in Beijing
    assert (nul.status_code, nul.json()["code"]) == (422, "nul_in_text")
