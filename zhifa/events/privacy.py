"""Personal data leaves list views masked (APL 48; the reporter's phone is shown whole only to those who
must call back)."""


def mask_phone(phone: str) -> str:
    """138****1234 for a mobile number; for other lengths keep at most the first 3 and last 4 digits."""
    digits = (phone or "").strip()
    if not digits:
        return ""
    if len(digits) <= 4:
        return "*" * len(digits)
    if len(digits) <= 7:
        return digits[:1] + "*" * (len(digits) - 3) + digits[-2:]
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
