"""One complete context per kind: the example docs/documents.md shows, the tests render, the bench times.

They are examples of what a caller fills, not defaults: nothing here is ever merged into a real document.
"""

import copy
from typing import Any

from zhifa.documents.kinds import DocumentKind

AGENCY = "杭州市拱墅区综合行政执法局"
ORGANISATION = {
    "kind": "organisation",
    "name": "杭州知味小吃有限公司",
    "address": "杭州市拱墅区湖墅南路88号",
    "uscc": "91330105MA2B3C4D5E",
    "legal_representative": "王小明",
    "phone": "13800000001",
}
PERSON = {
    "kind": "person",
    "name": "李大伟",
    "address": "杭州市拱墅区上塘路16号",
    "id_number": "330105199001011234",
}
OFFICERS = [
    {"name": "陈执法", "certificate_no": "33010520000101"},
    {"name": "周执法", "certificate_no": "33010520000102"},
]
REMEDY = {
    "reconsideration_body": "杭州市拱墅区人民政府",
    "reconsideration_period": "六十日",
    "lawsuit_court": "杭州市拱墅区人民法院",
    "lawsuit_period": "六个月",
}
FACTS = "当事人于2026年11月3日在湖墅南路88号店外人行道上擅自摆摊设点，占用人行道约十二平方米"
BASIS = "《浙江省城市市容和环境卫生管理条例》第十七条第一款"
EVIDENCE = ["现场检查笔录一份", "询问笔录一份", "现场照片六张"]
APPROVALS = [
    {"role": "承办机构意见", "opinion": "同意", "name": "吴科长", "signed_on": "2026-11-05"},
    {"role": "机关负责人意见", "opinion": "同意立案", "name": "郑局长", "signed_on": "2026-11-06"},
]

_SAMPLES: dict[DocumentKind, dict[str, Any]] = {
    DocumentKind.CASE_SOURCE_REGISTER: {
        "agency": AGENCY,
        "source": "巡查发现",
        "received_on": "2026-11-03",
        "reporter": "市民张女士",
        "reporter_phone": "13900000002",
        "party": ORGANISATION,
        "summary": "巡查中发现湖墅南路88号店外人行道有摆摊设点、占道经营情况",
        "handler_opinion": "建议立案调查",
        "registered_by": OFFICERS[:1],
    },
    DocumentKind.FILING_APPROVAL: {
        "agency": AGENCY,
        "case_no": "拱综执案〔2026〕0012号",
        "case_cause": "擅自占用人行道摆摊设点案",
        "party": ORGANISATION,
        "source": "巡查发现",
        "facts": FACTS,
        "legal_basis": BASIS,
        "handler_opinion": "当事人涉嫌违法，建议立案",
        "officers": OFFICERS,
        "approvals": APPROVALS,
    },
    DocumentKind.INSPECTION_RECORD: {
        "agency": AGENCY,
        "place": "杭州市拱墅区湖墅南路88号店外",
        "started_at": "2026-11-03T09:30",
        "ended_at": "2026-11-03T10:05",
        "party": ORGANISATION,
        "present_person": "王小明（店长）",
        "officers": OFFICERS,
        "recorder": "周执法",
        "content": "店外人行道上摆放桌椅四套、餐车一辆，占用人行道约十二平方米，现场拍照六张",
        "party_signature_note": "",
    },
    DocumentKind.INQUIRY_RECORD: {
        "agency": AGENCY,
        "place": "拱墅区综合行政执法局湖墅中队询问室",
        "started_at": "2026-11-04T14:00",
        "ended_at": "2026-11-04T14:40",
        "interviewee": PERSON,
        "relation": "当事人店长",
        "officers": OFFICERS,
        "recorder": "周执法",
        "questions": [
            {"question": "店外人行道上的桌椅是谁摆放的？", "answer": "是我们店摆的，中午客人多"},
            {"question": "摆放了多长时间？", "answer": "大约一个星期"},
        ],
    },
    DocumentKind.PRESERVATION_NOTICE: {
        "agency": AGENCY,
        "party": ORGANISATION,
        "facts": FACTS,
        "legal_basis": "《中华人民共和国行政处罚法》第五十六条",
        "items": [{"name": "餐车", "specification": "不锈钢，约1.5米", "quantity": "1辆"}],
        "keeping_place": "拱墅区综合行政执法局暂扣物品仓库",
        "issued_on": "2026-11-04",
    },
    DocumentKind.SEIZURE_DECISION: {
        "agency": AGENCY,
        "party": ORGANISATION,
        "facts": "当事人占道经营经责令改正拒不改正，其经营工具有继续用于违法行为的危险",
        "legal_basis": "《中华人民共和国行政强制法》第九条、第二十四条",
        "measure": "扣押",
        "items": [{"name": "桌椅", "quantity": "4套"}, {"name": "餐车", "quantity": "1辆"}],
        "place": "湖墅南路88号店外",
        "period_days": "30",
        "remedy": REMEDY,
        "issued_on": "2026-11-05",
    },
    DocumentKind.RECTIFICATION_ORDER: {
        "agency": AGENCY,
        "party": ORGANISATION,
        "facts": FACTS,
        "legal_basis": BASIS,
        "requirement": "自行清除店外人行道上的桌椅和餐车，恢复人行道通行",
        "deadline_on": "2026-11-06",
        "issued_on": "2026-11-03",
    },
    DocumentKind.PENALTY_NOTICE: {
        "agency": AGENCY,
        "party": ORGANISATION,
        "facts": FACTS,
        "evidence": EVIDENCE,
        "legal_basis": "《浙江省城市市容和环境卫生管理条例》第四十七条",
        "intended_penalty": "罚款人民币五千元",
        "statement_period": "五个工作日",
        "hearing_right": "你（单位）有权要求听证，应当在收到本告知书之日起五个工作日内提出。",
        "contact": "湖墅中队 0571-88000000",
        "issued_on": "2026-11-20",
    },
    DocumentKind.HEARING_NOTICE: {
        "agency": AGENCY,
        "party": ORGANISATION,
        "intended_penalty": "罚款人民币五千元",
        "request_period": "五个工作日",
        "contact": "法制科 0571-88000001",
        "issued_on": "2026-11-20",
    },
    DocumentKind.HEARING_RECORD: {
        "agency": AGENCY,
        "case_cause": "擅自占用人行道摆摊设点案",
        "held_at": "2026-12-01T09:00",
        "place": "拱墅区综合行政执法局听证室",
        "chair": "孙法制",
        "recorder": "钱书记员",
        "party": ORGANISATION,
        "agent": "赵律师",
        "investigators": OFFICERS,
        "proceedings": [
            {"speaker": "调查人员", "text": "当事人占用人行道经营，事实清楚，证据确凿"},
            {"speaker": "当事人", "text": "我们已经改正，请求从轻处罚"},
        ],
    },
    DocumentKind.PENALTY_DECISION: {
        "agency": AGENCY,
        "party": ORGANISATION,
        "procedure": "本机关于2026年11月20日向当事人送达行政处罚事先告知书，当事人在法定期限内未提出陈述、申辩和听证要求",
        "facts": FACTS,
        "evidence": EVIDENCE,
        "legal_basis": "《浙江省城市市容和环境卫生管理条例》第四十七条",
        "penalty": "罚款人民币伍仟元整（¥5000.00）",
        "fine_amount": "5000.00",
        "performance": {
            "method": "持本决定书到指定银行或者通过电子支付系统缴纳罚款",
            "deadline": "自收到本决定书之日起十五日内",
        },
        "remedy": REMEDY,
        "issued_on": "2026-12-04",
    },
    DocumentKind.ON_THE_SPOT_DECISION: {
        "agency": AGENCY,
        "party": PERSON,
        "facts": "当事人于2026年12月4日10时在上塘路16号门前人行道上乱堆物料",
        "evidence": ["现场照片两张", "执法记录仪视频一段"],
        "legal_basis": "《浙江省城市市容和环境卫生管理条例》第四十二条",
        "penalty": "罚款人民币贰佰元整（¥200.00）",
        "fine_amount": "200.00",
        "performance": {"method": "通过电子支付系统缴纳罚款", "deadline": "自收到本决定书之日起十五日内"},
        "remedy": REMEDY,
        "issued_on": "2026-12-04",
        "place": "杭州市拱墅区上塘路16号门前",
        "officers": OFFICERS,
    },
    DocumentKind.NO_PENALTY_DECISION: {
        "agency": AGENCY,
        "party": PERSON,
        "facts": "当事人于2026年11月10日在上塘路16号门前人行道上晾晒衣物，经指出后当场改正",
        "evidence": ["现场检查笔录一份", "现场照片两张"],
        "reason": "当事人初次违法且危害后果轻微并及时改正",
        "legal_basis": "《中华人民共和国行政处罚法》第三十三条第一款",
        "education": "本机关已对当事人进行教育，当事人已签署承诺书。",
        "remedy": REMEDY,
        "issued_on": "2026-11-12",
    },
    DocumentKind.SERVICE_RECEIPT: {
        "agency": AGENCY,
        "served_document": "行政处罚决定书 杭拱综执罚决字〔2026〕第0001号",
        "recipient": "杭州知味小吃有限公司",
        "served_at": "2026-12-05T10:20",
        "place": "杭州市拱墅区湖墅南路88号",
        "method": "直接送达",
        "servers": OFFICERS,
        "recipient_signature_note": "王小明 签收",
        "witness": "",
    },
    DocumentKind.REMINDER: {
        "agency": AGENCY,
        "party": ORGANISATION,
        "decision_ref": "2026年12月4日以杭拱综执罚决字〔2026〕第0001号行政处罚决定书",
        "obligation": "在收到决定书之日起十五日内缴纳罚款人民币五千元",
        "amount": "5000.00",
        "late_fee": "1500.00",
        "deadline": "2027年1月15日",
        "manner": "到指定银行或者通过电子支付系统缴纳",
        "statement_right": "你（单位）收到本催告书后有权进行陈述和申辩（《中华人民共和国行政强制法》第三十六条）。",
        "issued_on": "2027-01-05",
    },
    DocumentKind.CLOSING_APPROVAL: {
        "agency": AGENCY,
        "case_no": "拱综执案〔2026〕0012号",
        "case_cause": "擅自占用人行道摆摊设点案",
        "party": ORGANISATION,
        "outcome": "罚款人民币五千元（杭拱综执罚决字〔2026〕第0001号）",
        "execution": "当事人已于2026年12月10日缴纳罚款",
        "handler_opinion": "处罚决定已执行完毕，建议结案",
        "approvals": APPROVALS,
    },
}


def sample_context(kind: DocumentKind) -> dict[str, Any]:
    """A fresh copy of the kind's complete example context (safe to change)."""
    return copy.deepcopy(_SAMPLES[kind])
