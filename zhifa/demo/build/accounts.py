"""The demo's accounts (``org`` profiles on Django users), made only when ``load_demo --demo-accounts`` asks:
they all share the published ``DEMO_PASSWORD``, the superuser too.

Two steps, run at different points of the load so that the draws stay in their order: ``personas_build``
(after the subjects: the ``qiye`` persona owns a shop) and ``operational_accounts_build`` (last: a phone
account for every street officer not already a persona, a dispatcher per street, a liaison per
coordinating department).
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhifa.catalog.models import SubjectCategory
from zhifa.demo.build.draws import Draws
from zhifa.org.models import AuxiliaryStaff, AuxiliaryStatus, Department, District, Officer, Profile, Street
from zhifa.org.roles import SECOND_FACTOR_ROLES, Role
from zhifa.subjects.models import Subject, SubjectKind, SubjectOwner

# For the demo only: every demo account shares it, and `demo_logins` prints it.
DEMO_PASSWORD = "zhifa2026"


@dataclass(frozen=True)
class DemoPersona:
    username: str
    role: str


DEMO_PERSONAS: list[DemoPersona] = [
    DemoPersona("admin", Role.ADMIN),
    DemoPersona("zhihui", Role.DISPATCHER),
    DemoPersona("lingdao", Role.LEADER),
    DemoPersona("fazhi", Role.LEGAL_REVIEWER),
    DemoPersona("shichang", Role.LIAISON),
    DemoPersona("wulin_diaodu", Role.STREET_DISPATCHER),
    DemoPersona("wulin_duiyuan", Role.OFFICER),
    DemoPersona("wulin_xieguan", Role.AUXILIARY),
    DemoPersona("mishixiang_duiyuan", Role.OFFICER),
    DemoPersona("qiye", Role.BUSINESS_OWNER),
]
HOME_STREET = "武林街道"
SECOND_STREET = "米市巷街道"


def demo_business_subject(district: District) -> Subject | None:
    """The shop whose owner the ``qiye`` account plays: the first catering trader in the home street."""
    return (
        Subject.objects.filter(
            district=district,
            street__name=HOME_STREET,
            kind=SubjectKind.INDIVIDUAL_TRADER,
            category=SubjectCategory.CATERING,
        )
        .order_by("id")
        .first()
    )


def personas_build(
    draws: Draws, *, district: District, streets: list[Street], departments: dict[str, Department]
) -> None:
    """One account per ``DEMO_PERSONAS`` entry, scoped and linked to the officer, auxiliary or shop it plays;
    the privileged ones with a confirmed authenticator. An account already there is taken over (reset)."""
    user_model = get_user_model()
    # One hash for all demo accounts: hashing is deliberately slow, and they share the password anyway.
    password = make_password(DEMO_PASSWORD)
    by_name = {s.name: s for s in streets}
    home, second = by_name[HOME_STREET], by_name[SECOND_STREET]
    home_officer = (
        Officer.objects.filter(district=district, street=home, home_department__code="ZHZF")
        .order_by("badge_no")
        .first()
    )
    second_officer = (
        Officer.objects.filter(district=district, street=second, home_department__code="ZHZF")
        .order_by("badge_no")
        .first()
    )
    home_auxiliary = (
        AuxiliaryStaff.objects.filter(district=district, street=home, status=AuxiliaryStatus.ACTIVE)
        .order_by("staff_no")
        .first()
    )
    business = demo_business_subject(district)
    if home_officer is None or second_officer is None or home_auxiliary is None or business is None:
        raise RuntimeError("演示人员不全：武林街道或米市巷街道缺少执法队员、辅助人员或餐饮店")
    scope: dict[str, dict[str, Any]] = {
        "admin": {"display_name": "系统管理员"},
        "zhihui": {"display_name": draws.person(), "department": departments["ZHZX"]},
        "lingdao": {"display_name": draws.person(), "department": departments["ZHZF"]},
        "fazhi": {"display_name": draws.person(), "department": departments["ZHZF"]},
        "shichang": {"display_name": draws.person(), "department": departments["SCJG"]},
        "wulin_diaodu": {"display_name": draws.person(), "street": home},
        "wulin_duiyuan": {"display_name": home_officer.name, "street": home},
        "wulin_xieguan": {"display_name": home_auxiliary.name, "street": home},
        "mishixiang_duiyuan": {"display_name": second_officer.name, "street": second},
        "qiye": {"display_name": business.responsible_person},
    }
    for persona in DEMO_PERSONAS:
        user = user_model.objects.filter(username=persona.username).first()
        if user is None:
            user = user_model(username=persona.username)
        user.password = password
        user.is_active = True
        if persona.role == Role.ADMIN:
            user.is_staff = user.is_superuser = True
        user.save()
        Profile.objects.update_or_create(
            user=user, defaults={"district": district, "role": persona.role, **scope[persona.username]}
        )
        if persona.username == "wulin_duiyuan":
            home_officer.user = user
            home_officer.save(update_fields=["user", "updated_at"])
        elif persona.username == "mishixiang_duiyuan":
            second_officer.user = user
            second_officer.save(update_fields=["user", "updated_at"])
        elif persona.username == "wulin_xieguan":
            home_auxiliary.user = user
            home_auxiliary.save(update_fields=["user", "updated_at"])
        elif persona.username == "qiye":
            SubjectOwner.objects.get_or_create(subject=business, user=user)
        if persona.role in SECOND_FACTOR_ROLES:
            # The demo's privileged accounts come with their authenticator key, which demo_logins prints,
            # so that the second factor can be tried at once (a real account enrols on its first sign-in).
            TOTPDevice.objects.get_or_create(user=user, defaults={"name": "演示身份验证器", "confirmed": True})


def operational_accounts_build(
    *, district: District, officers: list[Officer], streets: list[Street], departments: dict[str, Department]
) -> None:
    """Accounts the event loop needs beyond the personas: every street officer's phone (username = badge
    number in lower case), a dispatcher per street (zone leads are notified on level-1 escalation) and a
    liaison per coordinating department (transfer notices)."""
    user_model = get_user_model()
    password = make_password(DEMO_PASSWORD)
    taken = set(user_model.objects.values_list("username", flat=True))
    specs: list[tuple[str, dict[str, Any], Officer | None]] = []
    for officer in officers:
        # District-level officers (no street) do not take street events; they get no phone account here.
        if officer.user_id is None and officer.street is not None:
            scope = {"role": Role.OFFICER, "street": officer.street, "display_name": officer.name}
            specs.append((officer.badge_no.lower(), scope, officer))
    for street in streets:
        specs.append(
            (
                f"diaodu_{street.code}",
                {"role": Role.STREET_DISPATCHER, "street": street, "display_name": f"{street.name}调度员"},
                None,
            )
        )
    for department in departments.values():
        if department.is_coordinating:
            specs.append(
                (
                    f"lianluo_{department.code.lower()}",
                    {
                        "role": Role.LIAISON,
                        "department": department,
                        "display_name": f"{department.short_name}联络员",
                    },
                    None,
                )
            )
    specs = [spec for spec in specs if spec[0] not in taken]
    users = user_model.objects.bulk_create([user_model(username=name, password=password) for name, _, _ in specs])
    Profile.objects.bulk_create(
        [Profile(user=user, district=district, **scope) for user, (_, scope, _) in zip(users, specs, strict=True)]
    )
    linked: list[Officer] = []
    for user, (_, _, phone_of) in zip(users, specs, strict=True):
        if phone_of is not None:
            phone_of.user = user
            linked.append(phone_of)
    Officer.objects.bulk_update(linked, ["user"])
