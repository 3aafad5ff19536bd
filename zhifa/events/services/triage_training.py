"""Training the triage model: from the corpus (``manage.py train_triage``, run by ``make install``) and from the
corpus plus the desk's corrections (``manage.py retrain_triage``), which replaces the running model only when the
new one scores no worse on the held-out set (``Scores.no_worse_than``). Each retrain is audited, replaced or not.
"""

from dataclasses import dataclass
from pathlib import Path

from zhifa.catalog.kinds import kind_rows
from zhifa.core.actors import SystemActor
from zhifa.core.audit import audit_record, audited_transaction
from zhifa.events import triage_model
from zhifa.events.models import ClassificationFeedback, TriageCorrection
from zhifa.events.triage_model import Example, Scores, TriageModel

SYSTEM_TRAINING = SystemActor("系统（研判模型训练）")


@dataclass(frozen=True)
class RetrainReport:
    corpus: int
    corrections: int
    before: Scores | None  # the running model on the held-out set (None: there was none)
    after: Scores
    replaced: bool


def department_of_kind() -> dict[str, str]:
    """Kind code → department code, as the project's kind list has it (how held-out accuracy is scored)."""
    return {row.code: row.department_code for row in kind_rows()}


def corrections() -> list[Example]:
    """The desk's corrections as labelled examples, oldest first: every triage correction (kind and urgency),
    and every matter chosen by hand whose matter belongs to a kind (the kind it implies; urgency as the event
    has it). A later correction of the same event's text wins."""
    by_event: dict[int, Example] = {}
    for row in ClassificationFeedback.objects.select_related("event").order_by("id"):
        kind = row.chosen_matter.complaint_kinds.order_by("code").first()
        if kind is not None:
            by_event[row.event_id] = Example(row.text, kind.code, row.event.priority == "urgent", "correction")
    for correction in TriageCorrection.objects.select_related("chosen_kind").order_by("id"):
        by_event[correction.event_id] = Example(
            correction.text, correction.chosen_kind.code, correction.chosen_urgent, "correction"
        )
    return list(by_event.values())


def train_from_corpus(path: Path) -> tuple[TriageModel, Scores]:
    """Train on the corpus alone, score on the held-out set, write the model to ``path``."""
    model = triage_model.train(triage_model.corpus(), meta={"corrections": 0})
    scores = model.evaluate(triage_model.heldout(), department_of_kind())
    model.meta["heldout"] = scores.as_dict()
    triage_model.save(model, path)
    return model, scores


def retrain(path: Path, *, extra: list[Example] | None = None) -> RetrainReport:
    """Train on corpus + corrections (+ ``extra``); replace the model at ``path`` only if the new one scores no
    worse on the held-out set than the one there now."""
    base = triage_model.corpus()
    added = corrections() + list(extra or [])
    model = triage_model.train([*base, *added], meta={"corrections": len(added)})
    held = triage_model.heldout()
    departments = department_of_kind()
    after = model.evaluate(held, departments)
    model.meta["heldout"] = after.as_dict()
    before = triage_model.load(path).evaluate(held, departments) if path.exists() else None
    replaced = before is None or after.no_worse_than(before)
    if replaced:
        triage_model.save(model, path)
    with audited_transaction():
        audit_record(
            actor=SYSTEM_TRAINING,
            action="triage_model.replace" if replaced else "triage_model.keep",
            object_type="triage_model",
            object_id=path.name,
            before=before.as_dict() if before else {},
            after={**after.as_dict(), "corpus": len(base), "corrections": len(added)},
            reason="" if replaced else "新模型在留出集上的类型准确率或紧急召回率低于当前模型，未替换",
        )
    return RetrainReport(len(base), len(added), before, after, replaced)
