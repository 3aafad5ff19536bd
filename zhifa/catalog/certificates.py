"""The domains an officer's certificate covers (持证执法领域), checked against the catalogue's ``Domain``.

The officer's record lives in ``zhifa.org``, which may not import the catalogue (the import layers: org
sits below catalog), so the values are checked here and handed to ``zhifa.org.people.officer_edit`` as its
``CertifiedDomains`` type."""

from collections.abc import Iterable

from zhifa.catalog.models import Domain
from zhifa.core.errors import ValidationFailed
from zhifa.org.people import CertifiedDomains


def certified_domains_check(values: Iterable[str]) -> CertifiedDomains:
    """The chosen domains in the catalogue's order, each once; an unknown value is refused (and nothing is
    written, since the edit has not begun)."""
    chosen = {str(value) for value in values}
    unknown = sorted(chosen - set(Domain.values))
    if unknown:
        raise ValidationFailed(
            "执法领域无效：" + "、".join(unknown),
            code="domain_unknown",
            details={"field": "certified_domains", "values": unknown},
        )
    return CertifiedDomains(tuple(value for value in Domain.values if value in chosen))
