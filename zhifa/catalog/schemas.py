"""The catalogue's API contract: only the fields that are meant to be exposed, money as decimal strings."""

from decimal import Decimal

from ninja import Field, Schema

from zhifa.catalog.models import DiscretionTier, Domain, Matter, PenaltyKind
from zhifa.catalog.specs import MatterSpec, TierSpec
from zhifa.core.api_input import Id, omittable


class DepartmentRefOut(Schema):
    id: int
    code: str
    name: str


class TierOut(Schema):
    tier: str
    tier_label: str
    fine_min: Decimal | None
    fine_max: Decimal | None
    circumstances: str
    penalty: str


class MatterOut(Schema):
    id: int
    code: str
    name: str
    domain: str
    domain_label: str
    department: DepartmentRefOut
    law_name: str
    penalty_kinds: list[str]
    is_first_violation_exempt: bool
    subject_categories: list[str]
    keywords: str
    requires_two_officers: bool
    is_active: bool

    @staticmethod
    def resolve_domain_label(obj: Matter) -> str:
        return str(obj.get_domain_display())


class MatterDetailOut(MatterOut):
    violated_provision: str
    penalty_provision: str
    first_violation_condition: str
    tiers: list[TierOut]
    checklist: list[str]

    @staticmethod
    def resolve_tiers(obj: Matter) -> list[dict[str, object]]:
        order = {value: i for i, value in enumerate(DiscretionTier.values)}
        levels = sorted(obj.discretion_levels.all(), key=lambda level: order.get(level.tier, len(order)))
        return [
            {
                "tier": level.tier,
                "tier_label": str(level.get_tier_display()),
                "fine_min": level.fine_min,
                "fine_max": level.fine_max,
                "circumstances": level.circumstances,
                "penalty": level.penalty,
            }
            for level in levels
        ]

    @staticmethod
    def resolve_checklist(obj: Matter) -> list[str]:
        return [item.text for item in sorted(obj.checklist.all(), key=lambda item: item.position)]


class TierIn(Schema):
    tier: DiscretionTier
    circumstances: str = Field(..., max_length=300)
    penalty: str = Field(..., max_length=300)
    fine_min: Decimal | None = Field(None, max_digits=12, decimal_places=2)
    fine_max: Decimal | None = Field(None, max_digits=12, decimal_places=2)

    def to_spec(self) -> TierSpec:
        return TierSpec(
            tier=self.tier.value,
            circumstances=self.circumstances,
            penalty=self.penalty,
            fine_min=self.fine_min,
            fine_max=self.fine_max,
        )


class MatterIn(Schema):
    code: str = Field(..., max_length=40, examples=["ZJ-SR-001"])
    name: str = Field(..., max_length=200)
    domain: Domain
    department_id: Id
    law_name: str = Field(..., max_length=120)
    violated_provision: str
    penalty_provision: str
    penalty_kinds: list[PenaltyKind]
    subject_categories: list[str] = Field(..., description='业态编码列表，或 ["*"] 表示全部业态')
    tiers: list[TierIn]
    checklist: list[str]
    is_first_violation_exempt: bool = False
    first_violation_condition: str = ""
    keywords: str = ""
    requires_two_officers: bool = False
    is_active: bool = True

    def to_spec(self) -> MatterSpec:
        return MatterSpec(
            code=self.code,
            name=self.name,
            domain=self.domain.value,
            department_id=self.department_id,
            law_name=self.law_name,
            violated_provision=self.violated_provision,
            penalty_provision=self.penalty_provision,
            penalty_kinds=[k.value for k in self.penalty_kinds],
            subject_categories=self.subject_categories,
            tiers=[t.to_spec() for t in self.tiers],
            checklist=self.checklist,
            is_first_violation_exempt=self.is_first_violation_exempt,
            first_violation_condition=self.first_violation_condition,
            keywords=self.keywords,
            requires_two_officers=self.requires_two_officers,
            is_active=self.is_active,
        )


class MatterPatchIn(Schema):
    """Any subset of ``MatterIn``; ``tiers`` and ``checklist``, when given, replace the whole set."""

    code: str = omittable(max_length=40)
    name: str = omittable(max_length=200)
    domain: Domain = omittable()
    department_id: Id = omittable()
    law_name: str = omittable(max_length=120)
    violated_provision: str = omittable()
    penalty_provision: str = omittable()
    penalty_kinds: list[PenaltyKind] = omittable()
    subject_categories: list[str] = omittable()
    tiers: list[TierIn] = omittable()
    checklist: list[str] = omittable()
    is_first_violation_exempt: bool = omittable()
    first_violation_condition: str = omittable()
    keywords: str = omittable()
    requires_two_officers: bool = omittable()
    is_active: bool = omittable()

    def to_changes(self) -> dict[str, object]:
        """Only the fields the client sent (none of them can be null: the schema refuses it)."""
        changes: dict[str, object] = {}
        for name in self.model_fields_set:
            value = getattr(self, name)
            if name == "tiers":
                value = [t.to_spec() for t in value]
            elif name == "penalty_kinds":
                value = [k.value for k in value]
            elif name == "domain":
                value = value.value
            changes[name] = value
        return changes


class MatterImportOut(Schema):
    created: int
    updated: int
    unchanged: int
    total: int
