"""/api/v1/integrations/payments — the bank's or e-payment platform's signed notice of money received.

Like the AI alerts' endpoint it reads the raw body itself: the signature covers the exact bytes sent, and the
channel is authenticated before the payload is parsed. 201 for a payment recorded now, 200 for one already
recorded under the same reference (a retry).
"""

from django.http import HttpRequest
from ninja import Router, Status

from zhifa.api.errors import ErrorOut
from zhifa.core.errors import PayloadTooLarge
from zhifa.integrations.payments.schemas import PaymentNoticeIn, PaymentReceiptOut
from zhifa.integrations.payments.services import BODY_MAX_BYTES, payment_notice_receive

router = Router(auth=None, tags=["外部系统对接"])


def _read_body(request: HttpRequest) -> bytes:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    data = b"" if declared > BODY_MAX_BYTES else request.read(BODY_MAX_BYTES + 1)
    if declared > BODY_MAX_BYTES or len(data) > BODY_MAX_BYTES:
        raise PayloadTooLarge(f"请求体超过{BODY_MAX_BYTES}字节", details={"max_bytes": BODY_MAX_BYTES})
    return data


_HEADERS = [
    {
        "in": "header",
        "name": "X-Channel-Id",
        "required": True,
        "schema": {"type": "string"},
        "description": "缴款渠道编号",
    },
    {"in": "header", "name": "X-Timestamp", "required": True, "schema": {"type": "string"}, "description": "Unix 秒"},
    {
        "in": "header",
        "name": "X-Signature",
        "required": True,
        "schema": {"type": "string"},
        "description": 'hex(HMAC-SHA256(渠道密钥, f"{X-Timestamp}." + 原始请求体))',
    },
]


@router.post(
    "/payments",
    response={201: PaymentReceiptOut, 200: PaymentReceiptOut, 401: ErrorOut},
    auth=None,
    summary="代收银行/电子缴款平台到账通知（HMAC-SHA256 签名；罚缴分离，行政处罚法第六十七条）",
    openapi_extra={
        "parameters": _HEADERS,
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": PaymentNoticeIn.model_json_schema()}},
        },
    },
)
def receive_payment(request: HttpRequest) -> Status[PaymentReceiptOut]:
    outcome = payment_notice_receive(
        channel_id=request.headers.get("X-Channel-Id", ""),
        timestamp=request.headers.get("X-Timestamp", ""),
        signature=request.headers.get("X-Signature", ""),
        body=_read_body(request),
    )
    payment = outcome.payment
    out = PaymentReceiptOut(
        decision_number=payment.case.decision_number,
        reference=payment.reference,
        channel=payment.channel,
        fine=str(payment.amount),
        late_fee=str(payment.late_fee),
        received_on=payment.received_on,
        case_status=payment.case.status,
    )
    return Status(201 if outcome.created else 200, out)
