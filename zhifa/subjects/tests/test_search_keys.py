import re

import pytest
from pypinyin import lazy_pinyin

from zhifa.subjects.search_keys import name_search_keys


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("知味观", ("zhiweiguan", "zwg")),
        ("知味观（湖滨店）", ("zhiweiguanhubindian", "zwghbd")),
        ("KFC肯德基 2号店", ("kfckendeji2haodian", "kfckdj2hd")),
        ("中国银行", ("zhongguoyinhang", "zgyh")),  # the phrase's reading, not 银行 → yinxing
        ("绿茶餐厅", ("lvchacanting", "lcct")),
        ("", ("", "")),
        ("·—", ("", "")),
    ],
)
def test_name_search_keys(name: str, keys: tuple[str, str]) -> None:
    assert name_search_keys(name) == keys


@pytest.mark.parametrize("name", ["重庆小面长沙臭豆腐", "行长银行行", "乐清音乐厅", "朝阳区朝九晚五", "曾记长生堂"])
def test_full_pinyin_equals_pypinyins_reading_of_the_whole_name(name: str) -> None:
    expected = "".join(re.sub("[^a-z]", "", s) for s in lazy_pinyin(name))

    assert name_search_keys(name)[0] == expected
