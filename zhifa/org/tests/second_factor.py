"""The second step of signing in, done in tests as the person does it: their authenticator app computes the
six digits from the device's key for the current 30 s, and they type them into the enrolment page (the first
time) or the verification page. Nothing is switched off: the codes are real and checked by django-otp."""

import time
from typing import Any

from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def current_token(device: TOTPDevice) -> str:
    """What the app shows now. A code is good once: if this 30 s step's code was used already (a second
    sign-in within the same step), the app's next code is the one to type — the device accepts one step of
    drift, as it does for a slow clock."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += device.step * (device.last_t + 1 - totp.t())
    return f"{totp.token():0{device.digits}d}"


def pass_second_factor(client: Client, user: Any) -> TOTPDevice:
    """``client`` is signed in as ``user`` (password step done); enrol a device on first use, then verify."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    url = "/account/totp/"
    if device is None:
        url = "/account/totp/enrol/"
        client.get(url)  # the page makes the device and its random key, and shows them as a QR code
        device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(url, {"token": current_token(device)})
    assert response.status_code == 302, response.content.decode()
    device.refresh_from_db()
    return device
