"""What a device sends and what it gets back. Only these fields are read; other keys are kept in the raw
payload for the record."""

import datetime as dt
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, field_validator

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


class AlertIn(BaseModel):
    alert_id: str = Field(min_length=1, max_length=48, description="设备侧告警编号；同一编号重发不会产生第二个事件")
    alert_type: str = Field(min_length=1, max_length=50, description="告警类型，如 占道经营、渣土车未密闭")
    confidence: float = Field(ge=0, le=1, description="识别置信度 0..1")
    occurred_at: dt.datetime = Field(description="发现时间（ISO 8601；不带时区时按北京时间）")
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    coord_system: Literal["wgs84", "gcj02", "bd09"] = "wgs84"
    image: str | None = Field(default=None, description="抓拍图片，Base64 编码的 JPEG/PNG/WebP")
    description: str | None = Field(default=None, max_length=1000)

    @field_validator("occurred_at")
    @classmethod
    def _aware(cls, value: dt.datetime) -> dt.datetime:
        return value if value.tzinfo is not None else value.replace(tzinfo=LOCAL_TZ)

    @field_validator("alert_id", "alert_type")
    @classmethod
    def _stripped(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("不能为空")
        return value


class AlertOut(BaseModel):
    event_no: str = Field(description="事件编号")
    status: str
    is_evidence_eligible: bool = Field(description="是否可作为证据（设备已通过法制、技术审核且地点已公布）")


class PublishedDeviceOut(BaseModel):
    name: str
    kind: str
    kind_label: str
    address: str
    lon: float | None
    lat: float | None
