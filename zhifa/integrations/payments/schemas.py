"""What a payment channel sends and gets back. Money is a decimal string ("1000.00"): a JSON number is a binary
float, and a fine is counted to the fen exactly."""

import datetime as dt

from pydantic import BaseModel, Field, field_validator


class PaymentNoticeIn(BaseModel):
    decision_number: str = Field(min_length=1, max_length=60, description="行政处罚决定书文号")
    amount: str = Field(
        pattern=r"^\d{1,10}(\.\d{1,2})?$", description='到账金额（元，罚款加加处罚款），十进制字符串，如 "1000.00"'
    )
    received_on: dt.date = Field(description="到账日期（银行收款之日，法律上的缴款日期）")
    reference: str = Field(min_length=1, max_length=64, description="渠道流水号；同一流水号重发视为同一笔缴款")

    @field_validator("decision_number", "reference")
    @classmethod
    def _stripped(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("不能为空")
        return value


class PaymentReceiptOut(BaseModel):
    decision_number: str
    reference: str
    channel: str = Field(description="bank（代收银行）/ e_payment（电子缴款）")
    fine: str = Field(description="罚款（元）")
    late_fee: str = Field(description="加处罚款（元，APL 72）")
    received_on: dt.date
    case_status: str = Field(description="案件当前状态")
