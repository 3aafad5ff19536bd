"""Fuzzy address search in the district gazetteer (``Place``): what a hotline operator types while the caller
speaks, turned into a point.

Callers spell by sound and operators type by pinyin, so a name is matched on three levels, best first:

1. the characters ("武林路128号" contains 武林路);
2. the sound: every character's toneless pinyin, so a homophone typo (舞林路, 武林露) finds 武林路;
3. one syllable off, for names of three syllables or more (武森路 for 武林路), scored lower;
4. a text that begins a name (武林 → 武林路, 武林广场), while the operator is still typing.

Typed Latin letters are read as pinyin ("wulinlu128") or initials ("wll128") of a name, in either reading:
character by character or pypinyin's phrase reading (朝晖一区: chyq or zhyq).

A house number after a road ("128号", "128") places the point along the road: the number's fraction of the
road's range, measured along its line (``interpolate``). Where a road is numbered by sides (odd/even rows),
the row of the number's side is used. A number outside every range of the road still finds the road (its
nearest end), marked ``number_in_range=False`` so that the caller is asked again.

Per-character pinyin (not pypinyin's phrase readings) on both sides: a typo breaks the phrase a reading
would be chosen from, and both sides must be read the same way to compare. The index is built per district on
first use and cached per process (``StampedCache``), rebuilt when the gazetteer changes.
"""

import itertools
import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db.models import Count, Max
from pypinyin import lazy_pinyin

from zhifa.core.stamped import StampedCache
from zhifa.geo.models import NumberParity, Place, PlaceKind
from zhifa.org.models import District
from zhifa.subjects.search_keys import name_search_keys

MAX_QUERY_CHARS = 60
DEFAULT_LIMIT = 10
MAX_LIMIT = 20

SCORE_EXACT = 100
SCORE_SOUND = 85
SCORE_PINYIN = 80
SCORE_INITIALS = 70
SCORE_PREFIX = 75
SCORE_NEAR_SOUND = 60
SCORE_SOUND_PREFIX = 55
SCORE_PINYIN_PREFIX = 68
SCORE_INITIALS_PREFIX = 58
# The levels a typed address may be placed on unasked (intake's geocoding); a beginning of a name (still typing)
# is only offered to a person choosing from the list.
GEOCODE_SCORES = frozenset({SCORE_EXACT, SCORE_SOUND, SCORE_PINYIN, SCORE_INITIALS, SCORE_NEAR_SOUND})

_PREFIXES = re.compile(r"^(中国)?(浙江省|浙江)?(杭州市|杭州)?")
_NUMBER = re.compile(r"^\s*(\d{1,5})\s*(号|號)?")
_LATIN_QUERY = re.compile(r"^([a-z]+)\s*(\d{1,5})?\s*(号)?$")
_NOT_LETTER = re.compile(r"[^a-z]")


@lru_cache(maxsize=20_000)
def _char_syllable(char: str) -> str:
    """The toneless pinyin of one character; a digit, letter or sign stands for itself."""
    if char.isascii():
        return char.lower()
    reading = _NOT_LETTER.sub("", "".join(lazy_pinyin(char)).lower())
    return reading or char


def syllables(text: str) -> tuple[str, ...]:
    return tuple(_char_syllable(c) for c in text)


def _squash(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


@dataclass(frozen=True)
class _Entry:
    place_id: int
    kind: str
    name: str  # the place's name (what the label shows), even when an alias matched
    key: str  # the name or alias matched against
    is_alias: bool
    sounds: tuple[str, ...]
    pinyin: tuple[str, ...]  # per-character reading, and the phrase reading (朝晖: chaohui, zhaohui)
    initials: tuple[str, ...]
    lon: float
    lat: float
    line: tuple[tuple[float, float], ...]
    number_from: int | None
    number_to: int | None
    parity: str
    street_name: str
    address: str


@dataclass(frozen=True)
class PlaceHit:
    place_id: int
    kind: str
    name: str
    label: str  # what the operator reads back to the caller: 武林路128号, 西湖文化广场
    lon: float
    lat: float
    street_name: str
    score: int
    number: int | None = None
    number_in_range: bool = True

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.place_id,
            "kind": self.kind,
            "kind_label": PlaceKind(self.kind).label,
            "name": self.name,
            "label": self.label,
            "lon": round(self.lon, 7),
            "lat": round(self.lat, 7),
            "street": self.street_name,
            "score": self.score,
            "number": self.number,
            "number_in_range": self.number_in_range,
        }


class PlaceIndex:
    def __init__(self, district_id: int) -> None:
        self.district_name = District.objects.filter(pk=district_id).values_list("name", flat=True).first() or ""
        self.entries: list[_Entry] = []
        # Plain values, not model instances: a gazetteer of 10,000 places is read in a fraction of the time.
        rows = (
            Place.objects.filter(district_id=district_id)
            .order_by("kind", "name", "id")
            .values_list(
                "pk",
                "kind",
                "name",
                "aliases",
                "lon",
                "lat",
                "line",
                "number_from",
                "number_to",
                "parity",
                "street__name",
                "address",
            )
        )
        for pk, kind, name, aliases, lon, lat, line, number_from, number_to, parity, street_name, address in rows:
            # Normalised as the query is (full-width → ASCII, no whitespace), so that both compare alike.
            keys = [_squash(k) for k in (name, *aliases.split("、")) if _squash(k)]
            points = tuple((float(p[0]), float(p[1])) for p in (line or []))
            for i, key in enumerate(keys):
                sounds = syllables(key)
                phrase_pinyin, phrase_initials = name_search_keys(key)
                self.entries.append(
                    _Entry(
                        place_id=pk,
                        kind=kind,
                        name=name,
                        key=key,
                        is_alias=i > 0,
                        sounds=sounds,
                        pinyin=tuple(dict.fromkeys(("".join(sounds), phrase_pinyin))),
                        initials=tuple(dict.fromkeys(("".join(s[0] for s in sounds if s), phrase_initials))),
                        lon=lon,
                        lat=lat,
                        line=points,
                        number_from=number_from,
                        number_to=number_to,
                        parity=parity,
                        street_name=street_name,
                        address=address,
                    )
                )

        self._build_lookups()

    def _build_lookups(self) -> None:
        """Dictionaries from every key, sound, one-syllable-off pattern and beginning to the entries, so that
        a query costs a few hundred look-ups whatever the size of the gazetteer (bench/place_search.py)."""
        self.by_key: dict[str, list[int]] = defaultdict(list)
        self.by_sounds: dict[tuple[str, ...], list[int]] = defaultdict(list)
        self.by_near: dict[tuple[str, ...], list[int]] = defaultdict(list)
        self.by_prefix: dict[str, list[int]] = defaultdict(list)
        self.by_sound_prefix: dict[tuple[str, ...], list[int]] = defaultdict(list)
        self.by_pinyin: dict[str, list[int]] = defaultdict(list)
        self.by_initials: dict[str, list[int]] = defaultdict(list)
        self.by_pinyin_prefix: dict[str, list[int]] = defaultdict(list)
        self.by_initials_prefix: dict[str, list[int]] = defaultdict(list)
        for i, e in enumerate(self.entries):
            self.by_key[e.key].append(i)
            self.by_sounds[e.sounds].append(i)
            n = len(e.sounds)
            if n >= 3:
                # One syllable off, and the last one (路, 街, 小区's 区 …) must agree.
                for pos in range(n - 1):
                    self.by_near[_masked(e.sounds, pos)].append(i)
            for length in range(2, len(e.key) + 1):
                self.by_prefix[e.key[:length]].append(i)
            for length in range(2, n + 1):
                self.by_sound_prefix[e.sounds[:length]].append(i)
            for pinyin in e.pinyin:
                self.by_pinyin[pinyin].append(i)
                for length in range(3, len(pinyin)):
                    self.by_pinyin_prefix[pinyin[:length]].append(i)
            for initials in e.initials:
                self.by_initials[initials].append(i)
                for length in range(2, len(initials)):
                    self.by_initials_prefix[initials[:length]].append(i)
        self.max_key = max((len(e.key) for e in self.entries), default=0)
        self.max_sounds = max((len(e.sounds) for e in self.entries), default=0)

    def normalise(self, text: str) -> str:
        text = _PREFIXES.sub("", _squash(text))[:MAX_QUERY_CHARS]
        if self.district_name and text.startswith(self.district_name):
            text = text[len(self.district_name) :]
        return text

    def search(self, query: str, *, limit: int = DEFAULT_LIMIT) -> list[PlaceHit]:
        text = self.normalise(query)
        if not text:
            return []
        latin = _LATIN_QUERY.match(text.lower())
        best = self._latin_matches(latin) if latin else self._text_matches(text)
        found = [(score, self.entries[i], number) for i, (score, number) in best.items()]
        # Best score first; then the longer name (武林路 before 武林), then the gazetteer's order.
        found.sort(key=lambda f: (-f[0], -len(f[1].key), f[1].kind, f[1].name, f[1].place_id))
        hits: list[PlaceHit] = []
        seen: set[tuple[str, int | None]] = set()
        for score, entry, number in found:
            place = self._hit(entry, score, number, found)
            # A road's two sides are one road to the person choosing: show it once.
            if (place.name, place.number) in seen or any(h.place_id == place.place_id for h in hits):
                continue
            seen.add((place.name, place.number))
            hits.append(place)
            if len(hits) >= limit:
                break
        return hits

    def _text_matches(self, text: str) -> dict[int, tuple[int, int | None]]:
        """entry → (score, the house number after the name), each entry at its best level and first place."""
        best: dict[int, tuple[int, int | None]] = {}

        def note(ids: list[int] | None, score: int, end: int | None) -> None:
            for i in ids or ():
                if i not in best or best[i][0] < score:
                    best[i] = (score, None if end is None else _number_at(text, end))

        sounds = syllables(text)
        size = len(text)
        for start in range(size):
            for length in range(1, min(self.max_key, size - start) + 1):
                note(self.by_key.get(text[start : start + length]), SCORE_EXACT, start + length)
            for length in range(1, min(self.max_sounds, size - start) + 1):
                window = sounds[start : start + length]
                note(self.by_sounds.get(window), SCORE_SOUND, start + length)
                if length >= 3:
                    for pos in range(length - 1):
                        note(self.by_near.get(_masked(window, pos)), SCORE_NEAR_SOUND, start + length)
        # Still typing: the text so far begins a name (武林 → 武林路, 武林广场).
        if size >= 2:
            note(self.by_prefix.get(text), SCORE_PREFIX, None)
            note(self.by_sound_prefix.get(sounds), SCORE_SOUND_PREFIX, None)
        return best

    def _latin_matches(self, latin: re.Match[str]) -> dict[int, tuple[int, int | None]]:
        letters, digits = latin.group(1), latin.group(2)
        number = int(digits) if digits else None
        best: dict[int, tuple[int, int | None]] = {}
        for lookup, score, shortest in (
            (self.by_pinyin, SCORE_PINYIN, 1),
            (self.by_initials, SCORE_INITIALS, 1),
            (self.by_pinyin_prefix, SCORE_PINYIN_PREFIX, 3),
            (self.by_initials_prefix, SCORE_INITIALS_PREFIX, 2),
        ):
            if len(letters) < shortest:
                continue
            for i in lookup.get(letters, ()):
                if i not in best or best[i][0] < score:
                    best[i] = (score, number)
        return best

    def _hit(
        self, entry: _Entry, score: int, number: int | None, found: list[tuple[int, _Entry, int | None]]
    ) -> PlaceHit:
        if entry.kind != PlaceKind.ROAD or number is None or not entry.line:
            label = entry.name if entry.kind != PlaceKind.ROAD or number is None else f"{entry.name}{number}号"
            return PlaceHit(
                entry.place_id, entry.kind, entry.name, label, entry.lon, entry.lat, entry.street_name, score
            )
        # The row of this road that carries the number (a road numbered by sides has two).
        rows = [e for _, e, _ in found if e.kind == PlaceKind.ROAD and e.name == entry.name and e.line]
        carrying = [e for e in rows if _carries(e, number)]
        if carrying:
            row = carrying[0]
            lon, lat = interpolate(row.line, _fraction(row, number))
            in_range = True
        else:
            # Not on this road as the gazetteer knows it: the nearest end, and the caller is asked again.
            row = min(rows or [entry], key=lambda e: _distance_to_range(e, number))
            lon, lat = row.line[0] if number <= (row.number_from or 0) else row.line[-1]
            in_range = False
        return PlaceHit(
            row.place_id,
            row.kind,
            row.name,
            f"{row.name}{number}号",
            lon,
            lat,
            row.street_name,
            score,
            number,
            in_range,
        )


def _masked(sounds: tuple[str, ...], pos: int) -> tuple[str, ...]:
    """``sounds`` with the syllable at ``pos`` left open, and its length first (a key of ``by_near``)."""
    return (str(len(sounds)), str(pos), *sounds[:pos], *sounds[pos + 1 :])


def _number_at(text: str, end: int) -> int | None:
    match = _NUMBER.match(text[end:])
    return int(match.group(1)) if match else None


def _carries(entry: _Entry, number: int) -> bool:
    if entry.number_from is None or entry.number_to is None:
        return False
    low, high = sorted((entry.number_from, entry.number_to))
    if not low <= number <= high:
        return False
    if entry.parity == NumberParity.ODD:
        return number % 2 == 1
    if entry.parity == NumberParity.EVEN:
        return number % 2 == 0
    return True


def _distance_to_range(entry: _Entry, number: int) -> int:
    if entry.number_from is None or entry.number_to is None:
        return 1 << 30
    low, high = sorted((entry.number_from, entry.number_to))
    return max(low - number, number - high, 0)


def _fraction(entry: _Entry, number: int) -> float:
    start, end = entry.number_from or 0, entry.number_to or 0
    return 0.0 if end == start else (number - start) / (end - start)


def interpolate(line: tuple[tuple[float, float], ...] | list[Any], fraction: float) -> tuple[float, float]:
    """The point ``fraction`` (0–1) of the way along ``line``, by length (metres, local flat projection)."""
    points = [(float(p[0]), float(p[1])) for p in line]
    if len(points) == 1:
        return points[0]
    fraction = min(max(fraction, 0.0), 1.0)
    k = math.cos(math.radians(points[0][1]))
    lengths = [math.hypot((b[0] - a[0]) * k, b[1] - a[1]) for a, b in itertools.pairwise(points)]
    total = sum(lengths)
    if total == 0:
        return points[0]
    remaining = fraction * total
    for (a, b), length in zip(itertools.pairwise(points), lengths, strict=True):
        if remaining <= length and length > 0:
            t = remaining / length
            return a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t
        remaining -= length
    return points[-1]


def _stamp(district_id: int) -> tuple[Any, ...]:
    row = Place.objects.filter(district_id=district_id).aggregate(n=Count("id"), last=Max("updated_at"))
    return (row["n"], row["last"])


_cache: StampedCache[int, PlaceIndex] = StampedCache(stamp=_stamp, build=PlaceIndex)


def place_search(*, district_id: int, query: str, limit: int = DEFAULT_LIMIT) -> list[PlaceHit]:
    """The gazetteer's places matching ``query``, best first, at most ``limit`` (≤ ``MAX_LIMIT``)."""
    if not query.strip():
        return []
    return _cache.get(district_id).search(query, limit=max(1, min(limit, MAX_LIMIT)))


def place_geocode(*, district_id: int, address: str) -> PlaceHit | None:
    """The best place for a typed address, if it is good enough to use without a person choosing."""
    hits = place_search(district_id=district_id, query=address, limit=1)
    if hits and hits[0].score in GEOCODE_SCORES:
        return hits[0]
    return None


def nearest_place_label(*, district_id: int, lon: float, lat: float, max_m: float = 250.0) -> str:
    """ "武林路128号附近" for a picked point: the nearest road's number at that spot, or the nearest landmark or
    compound, within ``max_m``; "" when nothing in the gazetteer is that close."""
    best: tuple[float, str] | None = None
    k = math.cos(math.radians(lat))
    metres = 111_320.0
    for entry in _cache.get(district_id).entries:
        if entry.is_alias:
            continue
        if entry.kind == PlaceKind.ROAD and len(entry.line) >= 2:
            d, fraction = _distance_along(entry.line, lon, lat, k)
            label = entry.name
            if entry.number_from is not None and entry.number_to is not None:
                number = round(entry.number_from + fraction * (entry.number_to - entry.number_from))
                # On a one-side row, to the side's next number.
                if (entry.parity == NumberParity.ODD and number % 2 == 0) or (
                    entry.parity == NumberParity.EVEN and number % 2 == 1
                ):
                    number += 1
                label = f"{entry.name}{number}号"
        else:
            d, label = math.hypot((entry.lon - lon) * k, entry.lat - lat), entry.name
        d *= metres
        if d <= max_m and (best is None or d < best[0]):
            best = (d, label)
    return f"{best[1]}附近" if best else ""


def _distance_along(line: tuple[tuple[float, float], ...], lon: float, lat: float, k: float) -> tuple[float, float]:
    """(distance in degrees-of-latitude to the line, fraction along it of the nearest point)."""
    lengths = [math.hypot((b[0] - a[0]) * k, b[1] - a[1]) for a, b in itertools.pairwise(line)]
    total = sum(lengths) or 1.0
    best = (math.inf, 0.0)
    walked = 0.0
    for (a, b), length in zip(itertools.pairwise(line), lengths, strict=True):
        ax, ay, bx, by, px, py = a[0] * k, a[1], b[0] * k, b[1], lon * k, lat
        t = 0.0 if length == 0 else max(0.0, min(1.0, ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / length**2))
        d = math.hypot(px - (ax + (bx - ax) * t), py - (ay + (by - ay) * t))
        if d < best[0]:
            best = (d, (walked + t * length) / total)
        walked += length
    return best
