"""The payment channels (代收银行、电子缴款平台) allowed to report money received for decisions."""

from django.db import models

from zhifa.core.models import BaseModel
from zhifa.org.models import District


class ChannelKind(models.TextChoices):
    """The two channels of APL 67; the values are ``zhifa.cases.models.PaymentChannel``'s."""

    BANK = "bank", "代收银行"
    E_PAYMENT = "e_payment", "电子缴款"


class PaymentChannelAccount(BaseModel):
    """One channel of one district: its number (the X-Channel-Id header and the statement's channel column),
    its kind, and the shared key it signs callbacks with."""

    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    code = models.CharField(
        "渠道编号", max_length=50, unique=True, help_text="请求头 X-Channel-Id 及对账单“渠道”列的值"
    )
    kind = models.CharField("渠道类别", max_length=10, choices=ChannelKind.choices)
    name = models.CharField("名称", max_length=100, help_text="在案件流转和审计记录中显示")
    # Stored as given: the server must read it back to check signatures (see the devices' note in
    # zhifa.integrations.models); kept out of the admin's audit entries.
    secret = models.CharField("签名密钥", max_length=128)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "缴款渠道"
        ordering = ["district", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
