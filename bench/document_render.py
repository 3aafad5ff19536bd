"""Legal documents (issue 11): PDFs per second, rendering alone and issued end to end.

Each document differs from the last (its party's name and its number), so that Typst's memoisation of a
repeated input cannot flatter the figure; the kinds are taken in turn. "Issued" is ``issue_document`` as
the case workflow calls it: the sequence row locked, the number taken, the PDF rendered, stored with its
SHA-256, the row and its audit entry written, committed.
"""

import time
from pathlib import Path
from typing import Any

from django.test import override_settings

from bench.district import BenchDistrict
from bench.results import Measurement
from zhifa.core.actors import SystemActor
from zhifa.documents import render
from zhifa.documents.compose import document_layout
from zhifa.documents.kinds import KINDS, DocumentKind
from zhifa.documents.samples import sample_context
from zhifa.documents.services import issue_document

RENDERED = 320
ISSUED = 200
TARGET_DOCUMENTS_PER_S = 50


def _context(kind: DocumentKind, i: int) -> dict[str, Any]:
    context = sample_context(kind)
    for key in ("party", "interviewee"):
        if key in context:
            context[key]["name"] = f"杭州第{i}号小吃店"
    return context


def run(bench: BenchDistrict, workdir: Path) -> list[Measurement]:
    kinds = [k for k in KINDS.values() if not k.is_prenumbered]
    started = time.perf_counter()
    render.pdf_render(
        template=kinds[0].template,
        layout=document_layout(kind=kinds[0].code, context=_context(kinds[0].code, -1), number="", agency="机关"),
    )
    first_ms = (time.perf_counter() - started) * 1000

    started = time.perf_counter()
    total_bytes = 0
    for i in range(RENDERED):
        kind = kinds[i % len(kinds)]
        layout = document_layout(
            kind=kind.code,
            context=_context(kind.code, i),
            number=f"杭拱综执罚决字〔2026〕第{i:04d}号",
            agency="杭州市拱墅区综合行政执法局",
        )
        total_bytes += len(render.pdf_render(template=kind.template, layout=layout))
    rendered_s = time.perf_counter() - started

    actor = SystemActor("文书基准测试")
    with override_settings(MEDIA_ROOT=workdir / "media"):
        started = time.perf_counter()
        for i in range(ISSUED):
            issue_document(
                district=bench.district,
                kind=DocumentKind.PENALTY_DECISION,
                owner=f"bench:{i}",
                context=_context(DocumentKind.PENALTY_DECISION, i),
                actor=actor,
            )
        issued_s = time.perf_counter() - started
    return [
        Measurement("documents: first PDF of the process (fonts loaded)", first_ms, "ms"),
        Measurement(
            f"documents: PDFs rendered, {RENDERED} of {len(kinds)} kinds",
            RENDERED / rendered_s,
            "documents/s",
            TARGET_DOCUMENTS_PER_S,
        ),
        Measurement("documents: average PDF size", total_bytes / RENDERED / 1024, "KiB"),
        Measurement(
            f"documents: decisions issued end to end (numbered, stored, audited), {ISSUED}",
            ISSUED / issued_s,
            "documents/s",
            TARGET_DOCUMENTS_PER_S,
        ),
    ]
