"""Each kind's PDF: its text (pdftotext) holds the required elements and a hostile name printed as typed;
its first page (pdftoppm), on a font configuration with no fonts at all, shows dark Chinese text where the
title is — the fonts travel inside the PDF (issue 11, "Proof")."""

import datetime as dt
import io
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from PIL import Image

from zhifa.documents.compose import date_cn
from zhifa.documents.kinds import KINDS, DocumentKind
from zhifa.documents.models import Document
from zhifa.documents.samples import sample_context
from zhifa.documents.services import allot_range, issue_document, issue_from_range
from zhifa.org.models import Officer

HOSTILE = "*粗体* _斜_ #set text(fill: red) ]} $x^2$ <script>alert(1)</script> \\ @ref //注释 「测试」有限公司"
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?$")
POPPLER = "poppler-utils (make pdf-deps)"


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is missing: install {POPPLER}"
    return path


def _text(pdf: bytes) -> str:
    out = subprocess.run(
        [_tool("pdftotext"), "-raw", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return "".join(out.stdout.decode().split())


def _squeezed(text: str) -> str:
    return "".join(text.split())


def _leaves(value: Any) -> list[str]:
    """The printed strings of an element's value: text as is, ISO dates as the document prints them."""
    if isinstance(value, dict):
        return [s for v in value.values() for s in _leaves(v)]
    if isinstance(value, list):
        return [s for v in value for s in _leaves(v)]
    text = str(value)
    return [date_cn(text) if ISO.match(text) else text]


def _value_at(context: dict[str, Any], path: str) -> Any:
    for part in path.split("."):
        context = context[part]
    return context


def _issue(world: Any, kind: DocumentKind, context: dict[str, Any], admin_user: Any) -> Document:
    if KINDS[kind].is_prenumbered:
        officer = Officer.objects.get(user=world.user("officer_a"))
        allot_range(officer=officer, count=1, actor=admin_user)
        return issue_from_range(officer=officer, owner="case:1", context=context, actor=world.user("officer_a"))
    return issue_document(
        district=world.district, kind=kind, owner="case:1", context=context, actor=world.user("officer_a")
    )


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(dt.datetime(2026, 12, 4, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(KINDS))
def test_the_pdf_text_holds_every_required_element_and_the_hostile_name_as_typed(
    world: Any, admin_user: Any, kind: DocumentKind
) -> None:
    # Given a complete context whose party (or recipient) is named with markup of every kind
    context = sample_context(kind)
    for key in ("party", "interviewee"):
        if key in context:
            context[key]["name"] = HOSTILE
    if "recipient" in context:
        context["recipient"] = HOSTILE
    # When the document is issued
    document = _issue(world, kind, context, admin_user)
    with document.pdf.open("rb") as handle:
        text = _text(handle.read())
    # Then its title, number and every required element are in the text, and the name is printed as typed
    assert kind.label in text
    if KINDS[kind].is_numbered:
        assert document.number.endswith("第0001号") and document.number in text
    for element in KINDS[kind].required:
        for leaf in _leaves(_value_at(context, element.path)):
            assert _squeezed(leaf) in text, f"{element.label}: {leaf!r}"
    assert _squeezed(HOSTILE) in text


@pytest.fixture
def no_fonts(tmp_path: Path) -> dict[str, str]:
    """An environment whose fontconfig knows no font at all: what a reader's machine without Chinese fonts
    (or any) has. Proven empty with fc-list."""
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig><cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>\n"
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "FONTCONFIG_PATH": str(tmp_path)}
    if shutil.which("fc-list"):
        listed = subprocess.run(["fc-list"], env=env, capture_output=True, text=True, check=True).stdout
        assert listed.strip() == ""
    return env


def _first_page(pdf_path: Path, env: dict[str, str], dpi: int) -> Image.Image:
    out = subprocess.run(
        [_tool("pdftoppm"), "-r", str(dpi), "-gray", "-f", "1", "-l", "1", str(pdf_path)],
        env=env,
        capture_output=True,
        check=True,
    )
    return Image.open(io.BytesIO(out.stdout)).convert("L")


def _dark(image: Image.Image) -> int:
    return sum(image.histogram()[:128])


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(KINDS))
def test_the_first_page_shows_chinese_text_on_a_machine_with_no_fonts(
    world: Any, admin_user: Any, kind: DocumentKind, no_fonts: dict[str, str]
) -> None:
    document = _issue(world, kind, sample_context(kind), admin_user)
    dpi = 60
    page = _first_page(Path(settings.MEDIA_ROOT) / document.pdf.name, no_fonts, dpi)
    mm = dpi / 25.4
    width, height = page.size
    assert (abs(width - 210 * mm) < 1.5, abs(height - 297 * mm) < 1.5) == (True, True)  # A4
    assert _dark(page) > 2000, "the page is blank"
    # The band from the top margin (37 mm) down 25 mm holds only the agency's name and the title, both
    # Chinese: dark pixels there are Chinese glyphs drawn from the embedded font.
    band = page.crop((0, round(37 * mm), page.size[0], round(62 * mm)))
    assert _dark(band) > 400
    # and the margins above it stay white
    assert page.crop((0, 0, width, round(30 * mm))).getextrema()[0] > 200


def _unembedded_cjk_pdf() -> bytes:
    """A one-page A4 PDF whose Chinese title uses a CJK font it does NOT embed (the control)."""
    text = "行政处罚决定书".encode("utf-16-be").hex().upper()
    content = f"BT /F1 40 Tf 60 700 Td <{text}> Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor 7 0 R >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_the_no_fonts_check_can_fail_a_pdf_that_does_not_embed_its_chinese_font(
    tmp_path: Path, no_fonts: dict[str, str]
) -> None:
    """The control of the test above: the same check on a PDF that only names its CJK font draws Chinese on
    this machine (which has Noto CJK installed) and nothing where no font is installed."""
    pdf = tmp_path / "unembedded.pdf"
    pdf.write_bytes(_unembedded_cjk_pdf())
    with_system_fonts = _first_page(pdf, dict(os.environ), 60)
    without_fonts = _first_page(pdf, no_fonts, 60)
    assert _dark(with_system_fonts) > 100
    assert _dark(without_fonts) == 0
