"""A typed address → a WGS-84 point, from the subject registry (执法对象库) and then the district gazetteer.

Hotline operators type what the caller says ("湖墅南路154号门口有人摆摊"); most complaints are about a shop,
a site or a building that is already in the registry with its surveyed point. Both sides are normalised the
same way (NFKC: full-width digits and letters → ASCII; whitespace removed; the province, city and district
prefixes dropped) and matched in this order:

1. exact: the text is a subject's address;
2. the longest subject address contained in the text ("湖墅南路154号" in "湖墅南路154号门口有人摆摊");
3. the shortest subject address that contains the text ("湖墅南路154" → "湖墅南路154号"), for texts of at
   least ``MIN_MATCH_CHARS`` characters.

A subject's address is also indexed without a trailing bracketed note ("…154号（施工现场）" → "…154号").
When several subjects share an address the earliest registered one's point is used (they are one building).

When no subject matches, the district gazetteer is asked (``zhifa.geo.places``: roads with house-number
ranges, landmarks, 小区; homophone and pinyin spellings; the number placed along its road), and its best hit
is used when it is good enough to use unasked (``GEOCODE_SCORES``: not a mere beginning of a name) and,
for a road, its number is within the road's registered range. Subjects go first because their point
is surveyed; a gazetteer point along a road is an interpolation.

The index (normalised address → point) is built per district on first use and cached in this process,
rebuilt when the registry changes (subject count and latest ``updated_at``, one indexed query per call).
"""

import re
import unicodedata
from typing import Any

from django.db.models import Count, Max

from zhifa.core.errors import ValidationFailed
from zhifa.core.stamped import StampedCache
from zhifa.geo.places import place_geocode
from zhifa.org.models import District
from zhifa.subjects.models import Subject

MIN_MATCH_CHARS = 4
MAX_TEXT_CHARS = 120

_PREFIXES = re.compile(r"^(中国)?(浙江省|浙江)?(杭州市|杭州)?")
_TRAILING_NOTE = re.compile(r"[(\[][^()\[\]]*[)\]]$")


def _squash(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def normalise_address(address: str, *, district_name: str = "") -> str:
    """Full-width → ASCII, no whitespace, without the leading 浙江省/杭州市/<district> prefixes."""
    text = _PREFIXES.sub("", _squash(address))
    if district_name and text.startswith(district_name):
        text = text[len(district_name) :]
    return text


class AddressIndex:
    def __init__(self, district_id: int) -> None:
        self.district_name = District.objects.filter(pk=district_id).values_list("name", flat=True).first() or ""
        self.points: dict[str, tuple[float, float]] = {}
        rows = Subject.objects.filter(district_id=district_id).order_by("id").values_list("address", "lon", "lat")
        for address, lon, lat in rows.iterator(chunk_size=5000):
            key = normalise_address(address, district_name=self.district_name)
            for variant in (key, _TRAILING_NOTE.sub("", key)):
                if variant:
                    self.points.setdefault(variant, (lon, lat))
        self.longest = max((len(k) for k in self.points), default=0)

    def lookup(self, address: str) -> tuple[float, float] | None:
        text = normalise_address(address, district_name=self.district_name)[:MAX_TEXT_CHARS]
        if not text:
            return None
        exact = self.points.get(text)
        if exact is not None:
            return exact
        # 2. the longest registered address inside the text: try the longest slices first
        for length in range(min(len(text), self.longest), MIN_MATCH_CHARS - 1, -1):
            for start in range(len(text) - length + 1):
                found = self.points.get(text[start : start + length])
                if found is not None:
                    return found
        # 3. the shortest registered address containing the text
        if len(text) < MIN_MATCH_CHARS:
            return None
        best: tuple[int, tuple[float, float]] | None = None
        for key, point in self.points.items():
            if text in key and (best is None or len(key) < best[0]):
                best = (len(key), point)
        return best[1] if best else None


def _stamp(district_id: int) -> tuple[Any, ...]:
    stamp_row = Subject.objects.filter(district_id=district_id).aggregate(n=Count("id"), last=Max("updated_at"))
    return (stamp_row["n"], stamp_row["last"])


_cache: StampedCache[int, AddressIndex] = StampedCache(stamp=_stamp, build=AddressIndex)


def _index(district_id: int) -> AddressIndex:
    return _cache.get(district_id)


def geocode_address(*, district_id: int, address: str) -> tuple[float, float] | None:
    """(lon, lat) on WGS-84 of the registered subject the address names, else of the gazetteer's best place
    for it, or ``None``. A house number beyond every range its road has in the gazetteer is refused
    (``address_number_out_of_range``), not placed at the road's end."""
    if not address.strip():
        return None
    found = _index(district_id).lookup(address)
    if found is not None:
        return found
    hit = place_geocode(district_id=district_id, address=address)
    if hit is not None and not hit.number_in_range:
        # The search puts such a number at the road's nearest end, which may lie in another street than the
        # road's own (the result list's label): a person must say where, not the interpolation (issue 16).
        raise ValidationFailed(
            f"“{hit.label}”超出{hit.name}已登记的门牌号范围，无法确定位置，请在地图上选点确认",
            code="address_number_out_of_range",
            details={"address": address.strip(), "road": hit.name, "number": hit.number, "street": hit.street_name},
        )
    return (hit.lon, hit.lat) if hit is not None else None
