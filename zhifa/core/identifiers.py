"""Validators for the two national identifiers the platform keys records by.

- 统一社会信用代码 (USCC): 18 characters, check character per GB 32100-2015.
- 居民身份证号码: 18 characters, check digit per GB 11643-1999 (ISO 7064 MOD 11-2).

Both raise ``ValidationFailed`` with a specific code and a Chinese message saying what is wrong.
"""

import datetime as dt
import re

from zhifa.core.errors import ValidationFailed

# GB 32100-2015: the code alphabet omits I, O, S, V, Z.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")


def uscc_check_char(first17: str) -> str:
    """The 18th character of a USCC whose first 17 characters are given."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> str:
    """Return the normalised code (upper case, trimmed) or raise."""
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationFailed(
            f"统一社会信用代码应为18位，实际为{len(code)}位", code="uscc_length", details={"value": value}
        )
    if not _USCC_RE.match(code):
        raise ValidationFailed(
            "统一社会信用代码含有不允许的字符（不使用I、O、S、V、Z）", code="uscc_charset", details={"value": value}
        )
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise ValidationFailed(
            f"统一社会信用代码校验位错误：应为{expected}，实际为{code[17]}",
            code="uscc_checksum",
            details={"value": value, "expected": expected},
        )
    return code


def id_check_digit(first17: str) -> str:
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def validate_id_number(value: str) -> str:
    """Return the normalised resident ID number or raise."""
    number = (value or "").strip().upper()
    if len(number) != 18:
        raise ValidationFailed(
            f"居民身份证号码应为18位，实际为{len(number)}位", code="id_number_length", details={"value": value}
        )
    if not _ID_RE.match(number):
        raise ValidationFailed(
            "居民身份证号码前17位应为数字，末位为数字或X", code="id_number_charset", details={"value": value}
        )
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationFailed(
            "居民身份证号码中的出生日期无效", code="id_number_birthdate", details={"value": value}
        ) from None
    expected = id_check_digit(number[:17])
    if number[17] != expected:
        raise ValidationFailed(
            f"居民身份证号码校验位错误：应为{expected}，实际为{number[17]}",
            code="id_number_checksum",
            details={"value": value, "expected": expected},
        )
    return number


def mask_id_number(number: str) -> str:
    """For list views: keep region and last 4 (personal data is masked in publicity, APL 48)."""
    return number[:6] + "********" + number[-4:] if len(number) == 18 else number
