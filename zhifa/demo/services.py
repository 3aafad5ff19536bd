"""``demo_load``: build the demo district 拱墅区 from a seed, once.

What it writes, in one transaction with one audit entry (``demo.load``): the district and its 18 streets
(approximate boundaries from the bundled GeoJSON), zones and grids tiling them, the district's departments,
one enforcement team per street with its leadership group, officers (74.42% of the sinking departments'
officers serve in a street, the article's figure), auxiliary staff with contracts and 2025 assessments,
about 2,300 regulated subjects with licences, the enforcement-matter catalogue from
``zhifa/catalog/data/matters.csv`` (when the file is there), and one demo account per persona
(``zhifa.demo.build`` has the details, one module per app).

The same seed always produces the same district (apart from certificate validity, which is set relative to
the day of loading so that a few certificates are always about to expire). A second run finds the district
and changes nothing.
"""

import time
from base64 import b32encode
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhifa.catalog.models import Matter
from zhifa.core.audit import audit_record
from zhifa.demo.build.accounts import DEMO_PASSWORD, DEMO_PERSONAS
from zhifa.demo.build.org import DEMO_DISTRICT_CODE
from zhifa.demo.builder import DEFAULT_SEED, SYSTEM_ACTOR, district_build
from zhifa.org.models import (
    AuxiliaryStaff,
    Department,
    District,
    Grid,
    LeadershipMember,
    Officer,
    Profile,
    Street,
    Team,
    Zone,
)
from zhifa.org.roles import Role
from zhifa.subjects.models import Licence, Subject


@dataclass
class DemoLoadResult:
    created: bool
    district: District
    counts: dict[str, int] = field(default_factory=dict)
    sinking_share: Decimal | None = None
    matters_note: str = ""
    calendar_note: str = ""
    seconds: float = 0.0


def demo_load(*, seed: int = DEFAULT_SEED, accounts: bool = False) -> DemoLoadResult:
    """Create the demo district from ``seed``, with the demo accounts (published password) only if
    ``accounts``; if the district already exists, change nothing and say so."""
    existing = District.objects.filter(code=DEMO_DISTRICT_CODE).first()
    if existing is not None:
        return DemoLoadResult(created=False, district=existing)
    started = time.monotonic()
    try:
        with transaction.atomic():
            built = district_build(seed=seed, accounts=accounts)
            district = built.district
            counts = demo_counts(district)
            share = sinking_share(district)
            audit_record(
                actor=SYSTEM_ACTOR,
                action="demo.load",
                obj=district,
                after={
                    "seed": seed,
                    "accounts": accounts,
                    "counts": counts,
                    "sinking_share": str(share),
                    "matters": built.matters_note,
                    "calendar": built.calendar_note,
                },
                reason="加载演示数据",
            )
    except IntegrityError:
        # Two loads at once: the district code is unique, so the later one rolls back whole and yields.
        existing = District.objects.filter(code=DEMO_DISTRICT_CODE).first()
        if existing is None:
            raise
        return DemoLoadResult(created=False, district=existing)
    return DemoLoadResult(
        created=True,
        district=district,
        counts=counts,
        sinking_share=share,
        matters_note=built.matters_note,
        calendar_note=built.calendar_note,
        seconds=time.monotonic() - started,
    )


def demo_counts(district: District) -> dict[str, int]:
    return {
        "streets": Street.objects.filter(district=district).count(),
        "zones": Zone.objects.filter(district=district).count(),
        "grids": Grid.objects.filter(district=district).count(),
        "departments": Department.objects.filter(district=district).count(),
        "teams": Team.objects.filter(district=district).count(),
        "leadership_members": LeadershipMember.objects.filter(district=district).count(),
        "officers": Officer.objects.filter(district=district).count(),
        "auxiliaries": AuxiliaryStaff.objects.filter(district=district).count(),
        "subjects": Subject.objects.filter(district=district).count(),
        "licences": Licence.objects.filter(subject__district=district).count(),
        "matters": Matter.objects.filter(district=district).count(),
        "users": Profile.objects.filter(district=district).count(),
    }


def sinking_share(district: District) -> Decimal:
    """下沉比例: officers of the sinking departments who serve in a street, over all their officers."""
    officers = Officer.objects.filter(district=district, home_department__is_sinking=True)
    total = officers.count()
    if not total:
        return Decimal("0")
    return (Decimal(officers.filter(street__isnull=False).count()) / total).quantize(Decimal("0.0001"))


@dataclass(frozen=True)
class LoginRow:
    username: str
    role: str
    scope: str
    password: str
    # The base32 key of the account's authenticator (privileged demo accounts only), to type into an app.
    totp_secret: str = ""


def demo_login_rows() -> list[LoginRow]:
    """The demo accounts as they stand in the database (a persona whose account is gone is left out)."""
    profiles = {
        p.user.username: p
        for p in Profile.objects.select_related("user", "street", "department", "district").filter(
            user__username__in=[persona.username for persona in DEMO_PERSONAS]
        )
    }
    rows: list[LoginRow] = []
    for persona in DEMO_PERSONAS:
        profile = profiles.get(persona.username)
        if profile is None:
            continue
        device = TOTPDevice.objects.filter(user=profile.user, confirmed=True).order_by("id").first()
        secret = b32encode(device.bin_key).decode() if device else ""
        rows.append(
            LoginRow(persona.username, profile.get_role_display(), _scope_label(profile), DEMO_PASSWORD, secret)
        )
    return rows


def _scope_label(profile: Profile) -> str:
    if profile.role == Role.BUSINESS_OWNER:
        subject = Subject.objects.filter(owners__user=profile.user).order_by("id").first()
        return f"{profile.display_name}·{subject.name}" if subject else profile.display_name
    if profile.role == Role.LIAISON and profile.department:
        return f"{profile.department.name}（{profile.display_name}）"
    if profile.street:
        officer_zone = ""
        if profile.role == Role.OFFICER:
            officer = Officer.objects.filter(user=profile.user).select_related("zone").first()
            officer_zone = f"·{officer.zone.name}" if officer and officer.zone else ""
        return f"{profile.street.name}{officer_zone}（{profile.display_name}）"
    return f"全区·{profile.district.name}（{profile.display_name}）"
