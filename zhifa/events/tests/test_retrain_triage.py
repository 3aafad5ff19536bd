"""``manage.py retrain_triage`` learns the desk's corrections and replaces the running model only when the new
one scores no worse on the held-out set (issue 14): a worse model is refused and the running file kept."""

import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from zhifa.catalog.models import ComplaintKind
from zhifa.core.models import AuditEntry
from zhifa.events import routing, services, triage_model
from zhifa.events.services.triage_training import retrain
from zhifa.events.tests.conftest import report
from zhifa.events.triage_model import Example

pytestmark = pytest.mark.django_db


def test_a_retrained_model_that_scores_worse_is_refused_and_the_running_one_kept(
    world: Any, tmp_path: Path, settings: Any
) -> None:
    running = tmp_path / "model.joblib"
    shutil.copy(routing.model_path(), running)
    settings.ZHIFA_TRIAGE_MODEL = running
    kept = running.read_bytes()
    # A desk that got it wrong many times over: a third of the corpus "corrected" to consultations.
    wrong = [Example(e.text, "ZX-ZC", False, "correction") for e in triage_model.corpus()[::3]]
    out = io.StringIO()

    with pytest.raises(CommandError) as refused:
        call_command("retrain_triage", stdout=out, extra=wrong)

    assert "保留当前模型" in str(refused.value)
    assert "当前模型" in out.getvalue() and "新模型" in out.getvalue()
    assert running.read_bytes() == kept
    entry = AuditEntry.objects.get(action="triage_model.keep")
    assert entry.after["kind_top1"] < entry.before["kind_top1"]


def test_the_desks_corrections_are_learnt_and_a_no_worse_model_replaces_the_running_one(
    world: Any, tmp_path: Path
) -> None:
    running = tmp_path / "model.joblib"
    triage_model.save(triage_model.train(triage_model.corpus()[::10]), running)  # a weak model runs today
    event = report(world, description="菜场门口一排三轮车卖菜，把人行道堵死了")
    services.event_correct_triage(
        actor=world.user("dispatcher"),
        event=event,
        kind=ComplaintKind.objects.get(district=world.district, code="SC-SPAQ"),
        urgent=False,
    )

    result = retrain(running)

    assert (result.corrections, result.replaced) == (1, True)
    assert result.before is not None and result.after.kind_top1 >= result.before.kind_top1
    assert triage_model.load(running).meta["corrections"] == 1
    assert AuditEntry.objects.filter(action="triage_model.replace").count() == 1
