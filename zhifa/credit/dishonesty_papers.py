"""The listing procedure's two papers as PDFs (issue 13 part 5): the notice before listing (列入严重失信名单告知书,
ZJC 28: reasons, basis, the right to state and defend, by when) and the decision (列入严重失信名单决定书, ZJC 24: signed
by the head; ZJC 28: reasons, basis, remedies and the conditions of removal).

Rendered with the documents app's renderer and layout (Typst, GB/T 9704, embedded Noto CJK — ADR 0010) from the
listing's stored record, so the same record prints the same paper. Not yet issued through
``documents.services.issue_document`` (stored, hashed, numbered by the platform): that needs the two kinds in
``documents.kinds.DocumentKind``, a change of the documents app; the decision's number is the head's, typed when
signing (unique in the district).
"""

from typing import Any

from zhifa.core.actors import actor_label
from zhifa.core.errors import Conflict
from zhifa.credit.models import DishonestyListing
from zhifa.documents.compose import date_cn
from zhifa.documents.render import pdf_render

REMEDY = (
    "如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，或者六个月内依法向人民法院提起行政诉讼；"
    "认为不符合严重失信名单具体条件的，可以依照《浙江省公共信用信息管理条例》第三十条提出异议。"
)


def _p(text: Any) -> dict[str, Any]:
    return {"t": "p", "text": str(text)}


def _line(text: Any) -> dict[str, Any]:
    return {"t": "line", "text": str(text)}


def _seal(listing: DishonestyListing, on: Any) -> dict[str, Any]:
    return {"t": "seal", "agency": listing.district.agency_name, "date": date_cn(str(on or ""))}


def _party(listing: DishonestyListing) -> list[dict[str, Any]]:
    label = "统一社会信用代码" if listing.subject.uscc else "身份证号码"
    blocks = [_line(f"当事人：{listing.holder_name}"), _line(f"{label}：{listing.holder_key}")]
    if listing.responsible_persons:
        blocks.append(_line(f"负有责任的法定代表人、主要负责人：{listing.responsible_persons}"))
    return blocks


def notice_pdf(listing: DishonestyListing) -> bytes:
    """告知书: only once the party has been notified (the notice date and the defence period are on it)."""
    if listing.noticed_on is None or listing.defence_due_on is None:
        raise Conflict("尚未告知当事人，没有告知书", code="dishonesty_notice_required")
    blocks = [
        *_party(listing),
        _p(f"本机关拟将你（单位）列入严重失信名单。理由：{listing.reasons}"),
        _p(f"依据：{listing.legal_basis}。"),
        _p(
            "依照《浙江省公共信用信息管理条例》第二十八条，你（单位）有权进行陈述和申辩。请于"
            f"{date_cn(listing.defence_due_on.isoformat())}前通过平台“我的信用”或者书面向本机关提出；"
            "逾期未提出的，视为放弃陈述和申辩的权利。"
        ),
        _seal(listing, listing.noticed_on.isoformat()),
    ]
    return pdf_render(
        template="document.typ",
        layout={
            "agency": listing.district.agency_name,
            "title": "列入严重失信名单告知书",
            "number": "",
            "blocks": blocks,
        },
    )


def decision_pdf(listing: DishonestyListing) -> bytes:
    """决定书: only once the head has signed it."""
    if listing.decided_on is None or not listing.decision_number:
        raise Conflict("尚无机关负责人签发的决定书", code="dishonesty_decision_required")
    defence = (
        f"你（单位）于{date_cn(listing.defended_at.date().isoformat())}提出陈述申辩：{listing.defence_text}"
        if listing.defended_at is not None
        else "你（单位）在陈述申辩期限内未提出陈述申辩。"
    )
    blocks = [
        *_party(listing),
        _p(
            f"本机关于{date_cn(listing.noticed_on.isoformat() if listing.noticed_on else '')}告知你（单位）拟列入严重失信名单的理由和依据。{defence}"
        ),
        _p(f"经审查，{listing.decision_text}"),
        _p(f"依据{listing.legal_basis}，决定将你（单位）列入严重失信名单，并通过信用信息平台向社会公开。"),
        _p(
            "公示期届满，或者纠正失信行为并符合移出条件的，依照规定移出严重失信名单；列入期间不适用信用修复"
            "（《浙江省公共信用信息管理条例》第三十二条）。"
        ),
        _p(REMEDY),
        _line(f"签发人：{actor_label(listing.decided_by) if listing.decided_by is not None else ''}"),
        _seal(listing, listing.decided_on.isoformat()),
    ]
    return pdf_render(
        template="document.typ",
        layout={
            "agency": listing.district.agency_name,
            "title": "列入严重失信名单决定书",
            "number": listing.decision_number,
            "blocks": blocks,
        },
    )
