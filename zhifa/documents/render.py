"""PDF rendering with Typst (the ``typst`` wheel) and the Noto CJK fonts Debian's ``fonts-noto-cjk`` installs.

One compiler per process, made on first use: reading and indexing the CJK font collections costs more than
a document, so they are loaded once and reused for every document (docs/adr/0010-documents-typst-noto.md).
The compiler is not shared between threads at once (one lock); Typst embeds only the glyphs a document
uses (a subset), so the PDF shows its Chinese text on a machine that has no Chinese font.

The fonts come only from the folders in ``settings.ZHIFA_DOCUMENT_FONT_DIRS`` (system fonts ignored), so a
document looks the same on every machine that ran the set-up, and a machine without the fonts fails loudly
instead of printing boxes.
"""

import json
import threading
from pathlib import Path
from typing import Any

import typst
from django.conf import settings

TEMPLATES = Path(__file__).resolve().parent / "templates"
DEFAULT_FONT_DIRS = ("/usr/share/fonts/opentype/noto",)
REQUIRED_FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC")


class FontsMissing(RuntimeError):
    """The Chinese fonts are not installed (``make pdf-deps``)."""


_lock = threading.Lock()
# One compiler per font configuration (in practice one per process).
_compilers: dict[tuple[str, ...], typst.Compiler] = {}


def font_dirs() -> list[str]:
    return list(getattr(settings, "ZHIFA_DOCUMENT_FONT_DIRS", DEFAULT_FONT_DIRS))


def _compiler_get() -> typst.Compiler:
    dirs = tuple(font_dirs())
    compiler = _compilers.get(dirs)
    if compiler is None:
        fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=True, font_paths=list(dirs))
        missing = [f for f in REQUIRED_FAMILIES if f not in fonts.families()]
        if missing:
            raise FontsMissing(f"缺少文书字体 {', '.join(missing)}（请运行 make pdf-deps 安装 fonts-noto-cjk）")
        compiler = _compilers[dirs] = typst.Compiler(root=str(TEMPLATES), font_paths=fonts, ignore_system_fonts=True)
    return compiler


def pdf_render(*, template: str, layout: dict[str, Any]) -> bytes:
    """The PDF of ``layout`` (zhifa.documents.compose) laid out by ``template``."""
    data = json.dumps(layout, ensure_ascii=False)
    with _lock:
        pdf = _compiler_get().compile(
            input=str(TEMPLATES / template), format="pdf", sys_inputs={"data": data}, pdf_tags=False
        )
    assert isinstance(pdf, bytes)
    return pdf
