"""An objection or a repair request whose submission fails after its attachments were stored leaves no file
behind and writes nothing (``zhifa.core.files``).

The failure is the audit chain refusing the submission's entry — the last thing it writes, after the
attachments — raised by the audit collaborator the service calls."""

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError

from zhifa.credit import objections, repair
from zhifa.credit.models import CreditAttachment, CreditEntry
from zhifa.credit.tests import test_objections_repair
from zhifa.credit.tests.conftest import at
from zhifa.credit.tests.test_objections_repair import PDF, footprint

penalised = test_objections_repair.penalised  # the fixture: the business owner's shop with a served penalty


def stored_files() -> set[str]:
    media = Path(settings.MEDIA_ROOT)
    return {path.relative_to(media).as_posix() for path in media.rglob("*") if path.is_file()}


@pytest.mark.parametrize(
    ("module", "day", "text"),
    [
        (objections, dt.date(2026, 6, 5), {"reasons": "处罚对象登记错误"}),
        (repair, dt.date(2026, 6, 15), {"evidence": "已整改并缴纳罚款"}),  # after the 90 days' wait
    ],
    ids=["objection", "repair"],
)
def test_a_submission_that_fails_after_its_attachments_were_stored_leaves_no_file(
    cw: Any, penalised: Any, monkeypatch: pytest.MonkeyPatch, module: Any, day: dt.date, text: dict[str, str]
) -> None:
    entry = CreditEntry.objects.get()
    submit = objections.objection_submit if module is objections else repair.repair_submit
    before = (footprint(), stored_files())
    seen: list[set[str]] = []

    def audit_refused(**kwargs: Any) -> None:
        seen.append(stored_files())
        raise IntegrityError("audit chain refused the entry")

    monkeypatch.setattr(module, "audit_record", audit_refused)

    with at(day), pytest.raises(IntegrityError):
        submit(
            actor=cw.user("business_owner"),
            subject_id=penalised.pk,
            entry_id=entry.pk,
            files=[
                SimpleUploadedFile("证明.pdf", PDF, content_type="application/pdf"),
                SimpleUploadedFile("现场.pdf", PDF + b"%2\n", content_type="application/pdf"),
            ],
            **text,
        )

    assert [len(files - before[1]) for files in seen] == [2]  # both attachments were written before the failure
    assert (footprint(), stored_files()) == before
    assert CreditAttachment.objects.count() == 0
