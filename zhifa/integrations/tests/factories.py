"""Factories for devices: by default a camera that passed both reviews with a published location (APL 41)."""

import factory

from zhifa.integrations.models import Device, DeviceKind
from zhifa.org.tests.factories import DistrictFactory


class DeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Device

    district = factory.SubFactory(DistrictFactory)
    device_no = factory.Sequence(lambda n: f"CAM-{n:04d}")
    kind = DeviceKind.CAMERA
    name = factory.Sequence(lambda n: f"甲街道路口{n}号摄像头")
    secret = factory.Sequence(lambda n: f"device-secret-{n:04d}-0123456789abcdef")
    legal_review_passed = True
    technical_review_passed = True
    is_location_published = True
    published_address = "甲街道文一路与学院路交叉口"
    lon = 120.105
    lat = 30.305
