import pytest

from civiclab.core.money import AmountError, format_euro, parse_euro


@pytest.mark.parametrize("text, cents", [
    ("€ 412.248,84", 41224884),
    ("412248,84", 41224884),
    ("412248.84", 41224884),
    ("412.248", 41224800),
    ("40.218.000", 4021800000),
    ("0", 0),
    ("12,5", 1250),
])
def test_parse_euro_reads_italian_and_plain_amounts(text, cents):
    assert parse_euro(text) == cents


@pytest.mark.parametrize("text", ["", "abc", "-5", "1,234", "12.3.4", "1.2345"])
def test_parse_euro_refuses_what_is_not_an_amount(text):
    with pytest.raises(AmountError):
        parse_euro(text)


def test_format_euro_groups_the_italian_way():
    assert format_euro(41224884) == "€ 412.248,84"
    assert format_euro(4021800000, with_cents=False) == "€ 40.218.000"
