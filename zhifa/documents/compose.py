"""From a kind's context to the page's blocks: what is printed, in which order, as plain data.

The Typst template (templates/document.typ) lays the blocks out after GB/T 9704; it receives them as JSON
through ``sys.inputs``, so nothing a caller typed is ever read as markup. Block types:

- ``p``: a body paragraph (first line indented two characters);
- ``line``: an unindented line (当事人、地址 …);
- ``h``: a 黑体 heading;
- ``fields``: a ruled table of label/value rows (the forms: 审批表、笔录、送达回证);
- ``sign``: right-aligned signature lines;
- ``seal``: the agency name and date block, with room for the seal.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

from zhifa.documents.kinds import DocumentKind

type Block = dict[str, Any]
type Context = dict[str, Any]


def date_cn(value: Any) -> str:
    """``2026-12-04`` → ``2026年12月4日`` (GB/T 9704 7.3.5.3: Arabic numerals, no leading zeros)."""
    if not value:
        return ""
    value = str(value)
    try:
        d = dt.date.fromisoformat(value[:10])
    except ValueError:
        return value
    text = f"{d.year}年{d.month}月{d.day}日"
    if len(value) > 10:
        try:
            t = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        text += f"{t.hour}时{t.minute:02d}分"
    return text


def officers_cn(officers: list[dict[str, Any]] | None) -> str:
    return "、".join(f"{o.get('name', '')}（执法证号：{o.get('certificate_no', '')}）" for o in officers or [])


# Every printed value is a string by the time it reaches the template (a number typed where text was
# meant is printed, not a Typst type error).
def _p(text: Any) -> Block:
    return {"t": "p", "text": str(text)}


def _line(text: Any) -> Block:
    return {"t": "line", "text": str(text)}


def _h(text: Any) -> Block:
    return {"t": "h", "text": str(text)}


def _fields(*rows: tuple[str, Any]) -> Block:
    return {"t": "fields", "rows": [[label, str(value)] for label, value in rows]}


def _seal(ctx: Context) -> Block:
    return {"t": "seal", "agency": str(ctx.get("agency", "")), "date": date_cn(str(ctx.get("issued_on", "")))}


def _sign(*lines: str) -> Block:
    return {"t": "sign", "lines": [str(line) for line in lines]}


def _party_lines(party: dict[str, Any], label: str = "当事人") -> list[Block]:
    blocks = [_line(f"{label}：{party.get('name', '')}")]
    if party.get("uscc"):
        blocks.append(_line(f"统一社会信用代码：{party['uscc']}"))
    if party.get("legal_representative"):
        blocks.append(_line(f"法定代表人（负责人）：{party['legal_representative']}"))
    if party.get("id_number"):
        blocks.append(_line(f"身份证号码：{party['id_number']}"))
    blocks.append(_line(f"地址：{party.get('address', '')}"))
    return blocks


def _party_row(party: dict[str, Any]) -> str:
    code = party.get("uscc") or party.get("id_number") or ""
    parts = [party.get("name", "")]
    if code:
        parts.append(("统一社会信用代码：" if party.get("uscc") else "身份证号码：") + code)
    if party.get("address"):
        parts.append(f"地址：{party['address']}")
    return "；".join(parts)


def _evidence(items: list[str] | None) -> str:
    return "；".join(f"{i}. {text}" for i, text in enumerate(items or [], start=1))


def _items(items: list[dict[str, Any]] | None) -> str:
    return "；".join(
        f"{i.get('name', '')}{('（' + i['specification'] + '）') if i.get('specification') else ''}×{i.get('quantity', '')}"
        for i in items or []
    )


def _remedy(ctx: Context, what: str = "本决定") -> Block:
    r = ctx.get("remedy") or {}
    return _p(
        f"当事人如不服{what}，可以在收到本决定书之日起{r.get('reconsideration_period', '')}内向"
        f"{r.get('reconsideration_body', '')}申请行政复议，或者在{r.get('lawsuit_period', '')}内向"
        f"{r.get('lawsuit_court', '')}提起行政诉讼。"
    )


def _approvals(ctx: Context) -> list[tuple[str, str]]:
    return [
        (a.get("role", "审批意见"), f"{a.get('opinion', '')}　{a.get('name', '')}　{date_cn(a.get('signed_on', ''))}")
        for a in ctx.get("approvals") or []
    ]


def _case_source_register(ctx: Context) -> list[Block]:
    party = ctx.get("party")
    return [
        _fields(
            ("案件来源", ctx.get("source", "")),
            ("登记日期", date_cn(ctx.get("received_on", ""))),
            ("举报人", ctx.get("reporter", "")),
            ("联系电话", ctx.get("reporter_phone", "")),
            ("当事人", _party_row(party) if party else ""),
            ("基本情况", ctx.get("summary", "")),
            ("处理意见", ctx.get("handler_opinion", "")),
            ("登记人", officers_cn(ctx.get("registered_by"))),
            *_approvals(ctx),
        )
    ]


def _filing_approval(ctx: Context) -> list[Block]:
    return [
        _fields(
            ("案号", ctx.get("case_no", "")),
            ("案由", ctx.get("case_cause", "")),
            ("当事人", _party_row(ctx.get("party") or {})),
            ("案件来源", ctx.get("source", "")),
            ("简要案情", ctx.get("facts", "")),
            ("涉嫌违反的规定", ctx.get("legal_basis", "")),
            ("承办人意见", ctx.get("handler_opinion", "")),
            ("承办人", officers_cn(ctx.get("officers"))),
            *_approvals(ctx),
        )
    ]


def _inspection_record(ctx: Context) -> list[Block]:
    return [
        _fields(
            ("检查时间", f"{date_cn(ctx.get('started_at', ''))}至{date_cn(ctx.get('ended_at', ''))}"),
            ("检查地点", ctx.get("place", "")),
            ("被检查人", _party_row(ctx.get("party") or {})),
            ("现场负责人", ctx.get("present_person", "")),
            ("执法人员", officers_cn(ctx.get("officers"))),
            ("记录人", ctx.get("recorder", "")),
        ),
        _p("执法人员已出示执法证件，告知当事人有申请回避的权利（《中华人民共和国行政处罚法》第五十五条）。"),
        _h("检查情况"),
        _p(ctx.get("content", "")),
        _sign(
            f"当事人（现场负责人）签名：{ctx.get('party_signature_note', '')}",
            "执法人员签名：",
            "记录人签名：",
        ),
    ]


def _inquiry_record(ctx: Context) -> list[Block]:
    blocks: list[Block] = [
        _fields(
            ("询问时间", f"{date_cn(ctx.get('started_at', ''))}至{date_cn(ctx.get('ended_at', ''))}"),
            ("询问地点", ctx.get("place", "")),
            ("被询问人", _party_row(ctx.get("interviewee") or {})),
            ("与案件关系", ctx.get("relation", "")),
            ("询问人", officers_cn(ctx.get("officers"))),
            ("记录人", ctx.get("recorder", "")),
        ),
        _p("我们是执法人员，已向你出示执法证件。你有如实回答询问的义务，也有陈述、申辩和申请回避的权利。"),
    ]
    for qa in ctx.get("questions") or []:
        blocks.append(_line(f"问：{qa.get('question', '')}"))
        blocks.append(_line(f"答：{qa.get('answer', '')}"))
    blocks.append(_sign("被询问人签名：", "询问人签名：", "记录人签名："))
    return blocks


def _preservation_notice(ctx: Context) -> list[Block]:
    return [
        *_party_lines(ctx.get("party") or {}),
        _p(
            f"经查，{ctx.get('facts', '')}。在证据可能灭失或者以后难以取得的情况下，经本机关负责人批准，"
            f"依据{ctx.get('legal_basis', '')}，决定对下列物品先行登记保存：{_items(ctx.get('items'))}。"
        ),
        _p(
            f"保存地点：{ctx.get('keeping_place', '')}。本机关将在七日内作出处理决定；"
            "在此期间，当事人或者有关人员不得损毁、销毁或者转移证据。"
        ),
        _seal(ctx),
    ]


def _seizure_decision(ctx: Context) -> list[Block]:
    return [
        *_party_lines(ctx.get("party") or {}),
        _p(f"查封、扣押的理由：{ctx.get('facts', '')}。"),
        _p(f"依据：{ctx.get('legal_basis', '')}。"),
        _p(
            f"本机关决定对下列场所、设施或者财物予以{ctx.get('measure', '')}：{_items(ctx.get('items'))}"
            f"{('，地点：' + ctx['place']) if ctx.get('place') else ''}。"
        ),
        _p(
            f"{ctx.get('measure', '')}期限为{ctx.get('period_days', '')}日；情况复杂的，经本机关负责人批准，"
            "可以延长，但延长期限不得超过三十日（《中华人民共和国行政强制法》第二十五条）。"
        ),
        _remedy(ctx),
        _seal(ctx),
    ]


def _rectification_order(ctx: Context) -> list[Block]:
    return [
        *_party_lines(ctx.get("party") or {}),
        _p(f"经查，{ctx.get('facts', '')}。"),
        _p(f"上述行为违反了{ctx.get('legal_basis', '')}。"),
        _p(f"现责令你（单位）于{date_cn(ctx.get('deadline_on', ''))}前{ctx.get('requirement', '')}。"),
        _seal(ctx),
    ]


def _penalty_notice(ctx: Context) -> list[Block]:
    blocks = [
        *_party_lines(ctx.get("party") or {}),
        _p(f"经调查，{ctx.get('facts', '')}。"),
        _p(f"以上事实有下列证据证明：{_evidence(ctx.get('evidence'))}。"),
        _p(
            f"依据{ctx.get('legal_basis', '')}，本机关拟对你（单位）作出如下行政处罚：{ctx.get('intended_penalty', '')}。"
        ),
        _p(
            "根据《中华人民共和国行政处罚法》第四十四条、第四十五条的规定，你（单位）享有陈述、申辩的权利，"
            f"可以在收到本告知书之日起{ctx.get('statement_period', '')}内向本机关提出陈述、申辩；"
            "逾期未提出的，视为放弃上述权利。"
        ),
    ]
    if ctx.get("hearing_right"):
        blocks.append(_p(ctx["hearing_right"]))
    if ctx.get("contact"):
        blocks.append(_p(f"联系方式：{ctx['contact']}"))
    blocks.append(_seal(ctx))
    return blocks


def _hearing_notice(ctx: Context) -> list[Block]:
    blocks = [
        *_party_lines(ctx.get("party") or {}),
        _p(f"本机关拟对你（单位）作出如下行政处罚：{ctx.get('intended_penalty', '')}。"),
        _p(
            "根据《中华人民共和国行政处罚法》第六十三条、第六十四条的规定，你（单位）有权要求听证。"
            f"如要求听证，应当在收到本告知书之日起{ctx.get('request_period', '')}内向本机关提出；"
            "逾期未提出的，视为放弃听证权利。"
        ),
    ]
    if ctx.get("contact"):
        blocks.append(_p(f"联系方式：{ctx['contact']}"))
    blocks.append(_seal(ctx))
    return blocks


def _hearing_record(ctx: Context) -> list[Block]:
    blocks: list[Block] = [
        _fields(
            ("案由", ctx.get("case_cause", "")),
            ("听证时间", date_cn(ctx.get("held_at", ""))),
            ("听证地点", ctx.get("place", "")),
            ("听证主持人", ctx.get("chair", "")),
            ("记录人", ctx.get("recorder", "")),
            ("当事人", _party_row(ctx.get("party") or {})),
            ("委托代理人", ctx.get("agent", "")),
            ("案件调查人员", officers_cn(ctx.get("investigators"))),
        ),
        _h("听证过程"),
    ]
    for s in ctx.get("proceedings") or []:
        blocks.append(_line(f"{s.get('speaker', '')}：{s.get('text', '')}"))
    blocks.append(_sign("当事人签名：", "听证主持人签名：", "记录人签名："))
    return blocks


def _penalty_decision(ctx: Context) -> list[Block]:
    blocks = [*_party_lines(ctx.get("party") or {})]
    if ctx.get("procedure"):
        blocks.append(_p(f"{ctx['procedure']}。"))
    blocks += [
        _p(f"经查，{ctx.get('facts', '')}。"),
        _p(f"以上事实有下列证据证明：{_evidence(ctx.get('evidence'))}。"),
        _p(
            f"本机关认为，依据{ctx.get('legal_basis', '')}，决定对你（单位）作出如下行政处罚：{ctx.get('penalty', '')}。"
        ),
    ]
    perf = ctx.get("performance") or {}
    blocks.append(_p(f"履行方式和期限：{perf.get('method', '')}，{perf.get('deadline', '')}。"))
    if ctx.get("fine_amount"):
        blocks.append(
            _p(
                "到期不缴纳罚款的，本机关可以每日按罚款数额的百分之三加处罚款，加处罚款的数额不超出罚款的数额"
                "（《中华人民共和国行政处罚法》第七十二条）。"
            )
        )
    blocks.append(_remedy(ctx))
    blocks.append(_p("当事人申请行政复议或者提起行政诉讼的，行政处罚不停止执行，法律另有规定的除外。"))
    if ctx.get("place"):
        blocks.append(_line(f"违法行为地点：{ctx['place']}"))
    if ctx.get("officers"):
        blocks.append(_line(f"执法人员：{officers_cn(ctx['officers'])}"))
        blocks.append(_sign("当事人签名：", "执法人员签名："))
    blocks.append(_seal(ctx))
    return blocks


def _no_penalty_decision(ctx: Context) -> list[Block]:
    blocks = [
        *_party_lines(ctx.get("party") or {}),
        _p(f"经查，{ctx.get('facts', '')}。"),
        _p(f"以上事实有下列证据证明：{_evidence(ctx.get('evidence'))}。"),
        _p(f"本机关认为，{ctx.get('reason', '')}。依据{ctx.get('legal_basis', '')}，决定不予行政处罚。"),
    ]
    if ctx.get("education"):
        blocks.append(_p(ctx["education"]))
    blocks += [_remedy(ctx), _seal(ctx)]
    return blocks


def _service_receipt(ctx: Context) -> list[Block]:
    return [
        _fields(
            ("送达文书名称及文号", ctx.get("served_document", "")),
            ("受送达人", ctx.get("recipient", "")),
            ("送达时间", date_cn(ctx.get("served_at", ""))),
            ("送达地点", ctx.get("place", "")),
            ("送达方式", ctx.get("method", "")),
            ("送达人", officers_cn(ctx.get("servers"))),
            ("受送达人签名或者盖章", ctx.get("recipient_signature_note", "")),
            ("见证人", ctx.get("witness", "")),
        )
    ]


def _reminder(ctx: Context) -> list[Block]:
    blocks = [
        *_party_lines(ctx.get("party") or {}),
        _p(
            f"本机关于{ctx.get('decision_ref', '')}对你（单位）作出行政决定，你（单位）应当{ctx.get('obligation', '')}。"
        ),
    ]
    if ctx.get("amount"):
        blocks.append(
            _p(
                f"应缴金额：{ctx['amount']}元"
                + (f"，已加处罚款{ctx['late_fee']}元" if ctx.get("late_fee") else "")
                + "。"
            )
        )
    blocks += [
        _p(
            f"根据《中华人民共和国行政强制法》第三十五条的规定，现催告你（单位）于{ctx.get('deadline', '')}前，"
            f"以{ctx.get('manner', '')}的方式履行上述义务。"
        ),
        _p(ctx.get("statement_right", "")),
        _seal(ctx),
    ]
    return blocks


def _closing_approval(ctx: Context) -> list[Block]:
    return [
        _fields(
            ("案号", ctx.get("case_no", "")),
            ("案由", ctx.get("case_cause", "")),
            ("当事人", _party_row(ctx.get("party") or {})),
            ("处理结果", ctx.get("outcome", "")),
            ("执行情况", ctx.get("execution", "")),
            ("承办人结案意见", ctx.get("handler_opinion", "")),
            *_approvals(ctx),
        )
    ]


COMPOSERS: dict[DocumentKind, Callable[[Context], list[Block]]] = {
    DocumentKind.CASE_SOURCE_REGISTER: _case_source_register,
    DocumentKind.FILING_APPROVAL: _filing_approval,
    DocumentKind.INSPECTION_RECORD: _inspection_record,
    DocumentKind.INQUIRY_RECORD: _inquiry_record,
    DocumentKind.PRESERVATION_NOTICE: _preservation_notice,
    DocumentKind.SEIZURE_DECISION: _seizure_decision,
    DocumentKind.RECTIFICATION_ORDER: _rectification_order,
    DocumentKind.PENALTY_NOTICE: _penalty_notice,
    DocumentKind.HEARING_NOTICE: _hearing_notice,
    DocumentKind.HEARING_RECORD: _hearing_record,
    DocumentKind.PENALTY_DECISION: _penalty_decision,
    DocumentKind.ON_THE_SPOT_DECISION: _penalty_decision,
    DocumentKind.NO_PENALTY_DECISION: _no_penalty_decision,
    DocumentKind.SERVICE_RECEIPT: _service_receipt,
    DocumentKind.REMINDER: _reminder,
    DocumentKind.CLOSING_APPROVAL: _closing_approval,
}


def document_layout(*, kind: DocumentKind, context: Context, number: str, agency: str) -> dict[str, Any]:
    """Everything the template prints, as JSON-ready data."""
    return {
        "agency": agency,
        "title": str(kind.label),
        "number": number,
        "blocks": COMPOSERS[kind](context),
    }
