import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhifa.core.errors import ValidationFailed
from zhifa.core.identifiers import (
    USCC_ALPHABET,
    id_check_digit,
    mask_id_number,
    uscc_check_char,
    validate_id_number,
    validate_uscc,
)

# Published examples: the USCC of Alibaba (China) Co., Ltd. and the GB 11643-1999 sample number.
REAL_USCC = "91330100799655058B"
SAMPLE_ID = "11010519491231002X"


def test_real_codes_pass() -> None:
    assert validate_uscc(REAL_USCC.lower()) == REAL_USCC
    assert validate_id_number(SAMPLE_ID.lower()) == SAMPLE_ID


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("91330100799655058", "uscc_length"),
        ("91330100799655058BX", "uscc_length"),
        ("91330100799655O58B", "uscc_charset"),  # letter O is not in the alphabet
        ("9133010079965505SB", "uscc_charset"),
        ("91330100799655058C", "uscc_checksum"),
        ("", "uscc_length"),
    ],
)
def test_bad_uscc_gets_a_specific_code(value: str, code: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        validate_uscc(value)
    assert exc.value.code == code
    assert "统一社会信用代码" in exc.value.message


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("1101051949123100", "id_number_length"),
        ("1101051949123100ZX", "id_number_charset"),
        ("110105194913310029", "id_number_birthdate"),
        ("110105194912310021", "id_number_checksum"),
    ],
)
def test_bad_id_number_gets_a_specific_code(value: str, code: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        validate_id_number(value)
    assert exc.value.code == code


@given(st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17).filter(lambda s: s[2:8].isdigit()))
def test_any_code_with_its_check_char_validates(first17: str) -> None:
    code = first17 + uscc_check_char(first17)
    assert validate_uscc(code) == code
    wrong = next(c for c in USCC_ALPHABET if c != code[17])
    with pytest.raises(ValidationFailed):
        validate_uscc(code[:17] + wrong)


@given(st.dates().filter(lambda d: d.year >= 1900), st.integers(min_value=0, max_value=999))
def test_id_check_digit_round_trip(birth: object, serial: int) -> None:
    first17 = f"330105{birth:%Y%m%d}{serial:03d}"
    assert validate_id_number(first17 + id_check_digit(first17))


def test_masking_keeps_region_and_last_four() -> None:
    assert mask_id_number(SAMPLE_ID) == "110105********002X"
