"""Pinyin search keys for a subject's name: 知味观 → ``zhiweiguan`` and ``zwg``.

Officers type initials on a phone keyboard far faster than Chinese characters, so the list searches
``Subject.name_initials`` as well as the name. Heteronyms take pypinyin's default reading (its phrase
dictionary picks the reading a word usually has, e.g. 银行 → yinhang). ASCII letters and digits in a name
are kept as they are, lower-cased, in both keys ("KFC肯德基" → ``kfckendeji`` / ``kfckdj``); everything
else (punctuation, brackets, spaces) is dropped.

Speed: one ``lazy_pinyin`` call costs ~70 µs, which alone would cap a bulk import at ~14,000 rows/s. Names
are made of a small vocabulary of words (brands, roads, 餐饮, 有限公司 …), so we segment the name the way
pypinyin does (Chinese runs, then its mmseg segmenter) and cache each word's reading. The result is the
same as calling ``lazy_pinyin`` on the whole name, because pypinyin converts each segment independently.
"""

import re
from functools import lru_cache

from pypinyin import lazy_pinyin
from pypinyin.constants import RE_HANS
from pypinyin.seg.mmseg import seg as _mmseg

# pypinyin's own definition of "a character that has a reading", reused so that we split names as it does.
_HANZI_CLASS = RE_HANS.pattern.removeprefix("^(?:").removesuffix(")+$")
_RUNS = re.compile(f"({_HANZI_CLASS}+)")
_NOT_ASCII_ALNUM = re.compile(r"[^a-z0-9]")
_NOT_LETTER = re.compile(r"[^a-z]")

NAME_PINYIN_MAX = 800
NAME_INITIALS_MAX = 200


@lru_cache(maxsize=100_000)
def _word_syllables(word: str) -> tuple[str, ...]:
    # A character pypinyin has no reading for comes back unchanged; stripping non-letters drops it.
    return tuple(s for s in (_NOT_LETTER.sub("", p.lower()) for p in lazy_pinyin(word)) if s)


@lru_cache(maxsize=20_000)
def _run_syllables(run: str) -> tuple[str, ...]:
    syllables: list[str] = []
    for word in _mmseg.cut(run):
        syllables.extend(_word_syllables(word))
    return tuple(syllables)


def name_search_keys(name: str) -> tuple[str, str]:
    """``(full pinyin, initials)`` of a name, both lower-case ASCII without separators."""
    full: list[str] = []
    initials: list[str] = []
    # re.split with a capturing group alternates: non-Chinese, Chinese, non-Chinese, …
    for i, part in enumerate(_RUNS.split(name)):
        if not part:
            continue
        if i % 2:
            syllables = _run_syllables(part)
            full.extend(syllables)
            initials.extend(s[0] for s in syllables)
        else:
            kept = _NOT_ASCII_ALNUM.sub("", part.lower())
            full.append(kept)
            initials.append(kept)
    return "".join(full)[:NAME_PINYIN_MAX], "".join(initials)[:NAME_INITIALS_MAX]
