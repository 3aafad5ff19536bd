"""What 双随机一公开 publishes about a drawn subject (APL 48: personal data masked).

A person (a street vendor, an individual trader, a vehicle's keeper) is shown as the project masks a person
elsewhere — surname and 某某 (``zhifa.web.penalty_views.mask_person_name``); any other subject keeps its first
character and its last two (the kind of business: 公司, 餐厅, 工地) with the rest hidden, so the public can
recognise the kind of place drawn without reading the name whole.
"""

PERSON_KINDS = {"street_vendor", "individual_trader", "vehicle"}


def mask_subject_name(name: str, *, kind: str) -> str:
    name = (name or "").strip()
    if not name:
        return ""
    if kind in PERSON_KINDS:
        return f"{name[:1]}某某"
    if len(name) <= 3:
        return name[:1] + "＊" * (len(name) - 1)
    return name[:1] + "＊" * (len(name) - 3) + name[-2:]
