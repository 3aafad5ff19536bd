"""Routing by complaint kind on the project's held-out set (issue 14), and the cost of one classification.

The model is the one the set-up built (``make install`` → ``manage.py train_triage``, ``ZHIFA_TRIAGE_MODEL``),
trained on ``zhifa/events/data/triage/train_*.csv`` only; the held-out texts (``heldout.csv``) were written
apart and are never trained on. Department accuracy compares the departments the project's kind list
(``complaint_kinds.csv``) gives the predicted and the labelled kind. "Sent to the human queue" is the share
whose calibrated confidence falls below ``ZHIFA_TRIAGE_MIN_CONFIDENCE``; the routed rows count only the rest.
Latency is one text through ``TriageModel.predict`` (features, kind, urgency and its phrase), warm.
"""

import statistics
import time
from collections import defaultdict
from pathlib import Path

from django.conf import settings

from bench.district import BenchDistrict
from bench.results import Measurement
from zhifa.events import routing, triage_model
from zhifa.events.services.triage_training import department_of_kind


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run(bench: BenchDistrict, workdir: Path) -> list[Measurement]:
    model = routing.running_model()
    held = triage_model.heldout()
    departments = department_of_kind()
    scores = model.evaluate(held, departments)
    predictions = model.predict_many([e.text for e in held])
    threshold = float(settings.ZHIFA_TRIAGE_MIN_CONFIDENCE)
    routed = [(p, e) for p, e in zip(predictions, held, strict=True) if p.confidence >= threshold]
    human = 1 - len(routed) / len(held)
    routed_kind = sum(p.kind == e.kind for p, e in routed) / max(len(routed), 1)
    routed_department = sum(departments[p.kind] == departments[e.kind] for p, e in routed) / max(len(routed), 1)
    by_register: dict[str, list[bool]] = defaultdict(list)
    for p, e in zip(predictions, held, strict=True):
        by_register[e.register or "?"].append(p.kind == e.kind)

    for text in (e.text for e in held[:50]):  # warm
        model.predict(text)
    timings = []
    for e in held:
        started = time.perf_counter()
        model.predict(e.text)
        timings.append((time.perf_counter() - started) * 1000)

    rows = [
        Measurement(
            f"triage: held-out texts ({model.meta.get('examples', '?')} trained, {len(model.kinds)} kinds)",
            len(held),
            "texts",
        ),
        Measurement("  department top-1", scores.department_top1 * 100, "%", 95.0),
        Measurement("  kind top-1", scores.kind_top1 * 100, "%", 90.0),
        Measurement("  kind top-3 (the dispatcher's candidates)", scores.kind_top3 * 100, "%"),
        Measurement("  urgent recall", scores.urgent_recall * 100, "%", 95.0),
        Measurement("  urgent precision", scores.urgent_precision * 100, "%"),
        Measurement(f"  sent to the human queue (confidence < {threshold:g})", human * 100, "%"),
        Measurement("  kind top-1 of the routed rest", routed_kind * 100, "%"),
        Measurement("  department top-1 of the routed rest", routed_department * 100, "%"),
    ]
    for register, hits in sorted(by_register.items()):
        rows.append(Measurement(f"  kind top-1, {register} texts ({len(hits)})", 100 * sum(hits) / len(hits), "%"))
    for true, predicted, count in scores.confusions[:6]:
        rows.append(Measurement(f"  confused: {true} read as {predicted}", count, "texts"))
    rows += [
        Measurement("  classification p50", statistics.median(timings), "ms"),
        Measurement("  classification p99", _percentile(timings, 99), "ms", maximum=5.0),
    ]
    return rows
