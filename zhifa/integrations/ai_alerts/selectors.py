"""Public reads about devices."""

from django.db.models import QuerySet

from zhifa.integrations.models import Device


def devices_published(*, district_code: str = "") -> QuerySet[Device]:
    """Active devices whose location has been published (APL 41): the list anyone may read."""
    devices = Device.objects.filter(is_active=True, is_location_published=True)
    if district_code:
        devices = devices.filter(district__code=district_code.strip())
    return devices.order_by("district_id", "device_no")
