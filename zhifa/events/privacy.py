"""Personal data leaves list views masked (APL 48; the reporter's phone is shown whole only to those who
must call back), and the public Open311 view shows where a person reported only as near as the road."""

import re

# Where a house number begins: a digit (ASCII or full-width), or a number in Chinese characters followed by
# the unit it counts (号, 弄, 幢, 栋, 室, 楼, 层, 单元, 座) — so that 十字路口 or 一品街 stay whole.
_NUMBER_STARTS = re.compile(r"[0-9０-９]|[零〇一二三四五六七八九十百千两]+(?:号|弄|幢|栋|室|楼|层|单元|座)")
_TRAILING = " \t,，、;；:：(（-—–_#＃第"
# Three decimals of a degree: 111 m north–south, about 96 m east–west at the district's latitude (30° N).
PUBLIC_COORDINATE_DECIMALS = 3


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


def mask_address(address: str) -> str:
    """The address up to its road, without the house number and what follows (building, unit, room):
    杭州市西湖区文一路88号3幢502室 → 杭州市西湖区文一路. Empty when the address is nothing but a number."""
    text = (address or "").strip()
    found = _NUMBER_STARTS.search(text)
    kept = text[: found.start()] if found else text
    return kept.rstrip(_TRAILING)


def round_coordinate(value: float) -> float:
    """A longitude or latitude to ``PUBLIC_COORDINATE_DECIMALS`` decimals (about 100 m)."""
    return round(float(value), PUBLIC_COORDINATE_DECIMALS)


def tel_url(phone: str) -> str:
    """A ``tel:`` link for one-tap calling: digits and a leading + only (what a dialler takes)."""
    raw = (phone or "").strip()
    digits = re.sub(r"[^0-9]", "", raw)
    return f"tel:{'+' if raw.startswith('+') else ''}{digits}" if digits else ""
