"""The element checker: a decision missing any content APL 59 prescribes is refused, with the missing
element named in Chinese, and nothing is written — no row, no number, no file, no audit entry."""

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from zhifa.core.errors import ValidationFailed
from zhifa.documents.kinds import APL_59_ELEMENTS, KINDS, DocumentKind
from zhifa.documents.samples import sample_context
from zhifa.documents.services import check_elements, issue_document
from zhifa.documents.tests.conftest import footprint


def _without(context: dict[str, Any], path: str) -> dict[str, Any]:
    *parents, leaf = path.split(".")
    node = context
    for part in parents:
        node = node[part]
    node[leaf] = "" if isinstance(node[leaf], str) else []
    return context


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_kinds_complete_example_passes(kind: DocumentKind) -> None:
    check_elements(kind, sample_context(kind))


@pytest.mark.django_db
@pytest.mark.parametrize("element", APL_59_ELEMENTS, ids=[e.path for e in APL_59_ELEMENTS])
def test_apl_59_a_decision_missing_an_element_is_refused_and_writes_nothing(world: Any, element: Any) -> None:
    # Given a decision whose context lacks one element of APL 59 (the agency's name is filled from the
    # district when left out, so for it the missing value is blanks)
    context = _without(sample_context(DocumentKind.PENALTY_DECISION), element.path)
    if element.path == "agency":
        context["agency"] = "   "
        world.district.agency_name = ""
    before = footprint(Path(settings.MEDIA_ROOT))
    # When it is issued
    with pytest.raises(ValidationFailed) as refused:
        issue_document(
            district=world.district,
            kind=DocumentKind.PENALTY_DECISION,
            owner="case:1",
            context=context,
            actor=world.user("officer_a"),
        )
    # Then it is refused naming exactly that element, and nothing is written
    assert refused.value.code == "document_elements_missing"
    assert refused.value.details["missing"] == [element.label]
    assert "第五十九条" in refused.value.message and element.label in refused.value.message
    assert footprint(Path(settings.MEDIA_ROOT)) == before


@pytest.mark.parametrize(
    "path",
    ["remedy.reconsideration_period", "remedy.lawsuit_period", "remedy.reconsideration_body", "remedy.lawsuit_court"],
)
def test_apl_59_the_remedy_needs_its_route_and_its_period(path: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_elements(
            DocumentKind.NO_PENALTY_DECISION, _without(sample_context(DocumentKind.NO_PENALTY_DECISION), path)
        )
    assert refused.value.details["paths"] == [path]


def test_apl_55_an_officer_without_a_certificate_number_is_a_missing_element() -> None:
    context = sample_context(DocumentKind.ON_THE_SPOT_DECISION)
    context["officers"][1]["certificate_no"] = ""
    with pytest.raises(ValidationFailed) as refused:
        check_elements(DocumentKind.ON_THE_SPOT_DECISION, context)
    assert refused.value.details["missing"] == ["执法人员姓名及执法证件号"]


def test_every_missing_element_is_listed_at_once() -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_elements(DocumentKind.PENALTY_DECISION, {})
    assert refused.value.details["missing"] == [e.label for e in APL_59_ELEMENTS]
