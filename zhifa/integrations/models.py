"""Devices that send alerts (AI cameras, drones) and the signatures already seen from them.

APL Art. 41 (行政处罚法第四十一条): a record made by an electronic technical monitoring device may serve as
evidence of a violation only if the device passed legal and technical review (法制和技术审核) and its
location was set reasonably, marked clearly and published to society (设置地点应当向社会公布). An alert from
a device that fails any of these is still stored as an event — the place may need attention — but the event
never becomes evidence (``Event.is_evidence_eligible`` is False).
"""

from django.db import models

from zhifa.core.models import BaseModel
from zhifa.org.models import District


class DeviceKind(models.TextChoices):
    CAMERA = "camera", "摄像头"
    DRONE = "drone", "无人机"


class Device(BaseModel):
    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT)
    device_no = models.CharField("设备编号", max_length=50, help_text="请求头 X-Device-Id 的值")
    kind = models.CharField("类别", max_length=10, choices=DeviceKind.choices)
    name = models.CharField("名称", max_length=100)
    # The shared HMAC key, stored as given: the server must read it back to check signatures, so it
    # cannot be hashed. In production keep it out of database dumps (a secrets store or an encrypted
    # column) and rotate it when the device is serviced; see docs/integrations.md.
    secret = models.CharField("签名密钥", max_length=128)
    legal_review_passed = models.BooleanField("已通过法制审核", default=False)
    technical_review_passed = models.BooleanField("已通过技术审核", default=False)
    reviewed_on = models.DateField("审核日期", null=True, blank=True)
    is_location_published = models.BooleanField("设置地点已向社会公布", default=False)
    published_address = models.CharField("公布地点", max_length=200, blank=True)
    lon = models.FloatField("经度(WGS-84)", null=True, blank=True)
    lat = models.FloatField("纬度(WGS-84)", null=True, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "感知设备"
        ordering = ["district", "device_no"]
        constraints = [models.UniqueConstraint(fields=["district", "device_no"], name="device_no_unique")]

    def __str__(self) -> str:
        return f"{self.device_no} {self.name}"

    @property
    def is_evidence_ready(self) -> bool:
        """APL 41: legal review, technical review and a published location — all three."""
        return self.legal_review_passed and self.technical_review_passed and self.is_location_published


class AlertSignature(models.Model):
    """A signature already accepted from a device. The unique constraint refuses a replay even when two
    copies of the same request arrive at the same moment on two processes. Rows older than the replay
    window are pruned: a request that old is refused by its timestamp anyway."""

    device = models.ForeignKey(Device, verbose_name="设备", on_delete=models.CASCADE, related_name="+")
    signature = models.CharField("签名", max_length=64)
    signed_at = models.DateTimeField("签名时间", db_index=True)
    received_at = models.DateTimeField("接收时间")

    class Meta:
        verbose_name = verbose_name_plural = "已接收告警签名"
        constraints = [models.UniqueConstraint(fields=["device", "signature"], name="alert_signature_once")]

    def __str__(self) -> str:
        return f"{self.device_id} {self.signature[:8]}"
