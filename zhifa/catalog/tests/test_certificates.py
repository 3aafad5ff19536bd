"""An officer's certified domains are the catalogue's Domain values (zhifa.catalog.certificates): checked
here because org, where the officer's record is, may not import the catalogue."""

import pytest

from zhifa.catalog.certificates import certified_domains_check
from zhifa.core.errors import ValidationFailed


def test_the_chosen_domains_come_back_once_each_in_the_catalogue_order() -> None:
    assert certified_domains_check(["market", "city_appearance", "market"]) == ("city_appearance", "market")
    assert certified_domains_check([]) == ()


def test_an_unknown_domain_is_refused_with_its_code() -> None:
    with pytest.raises(ValidationFailed) as exc:
        certified_domains_check(["market", "astrology", "<b>"])
    assert (exc.value.code, exc.value.details["values"], exc.value.message) == (
        "domain_unknown",
        ["<b>", "astrology"],
        "执法领域无效：<b>、astrology",
    )
