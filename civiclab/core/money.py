"""Money: integer euro cents in the database, parsed and shown the Italian way."""
import re

_ITALIAN = re.compile(r"^(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d{1,2}))?$")  # 412.248,84 / 412248,8
_DECIMAL_POINT = re.compile(r"^(\d+)\.(\d{1,2})$")  # 412248.84


class AmountError(ValueError):
    """Text that is not a non-negative euro amount with at most two decimals."""


def parse_euro(text):
    """'€ 412.248,84', '412248,84', '412248.84' or '412248' -> 41224884 cents."""
    text = str(text or "").replace("€", "").replace(" ", "").replace("\u00a0", "")
    match = _ITALIAN.match(text)
    if match:
        whole, decimals = match.group(1).replace(".", ""), match.group(2) or "0"
    else:
        match = _DECIMAL_POINT.match(text)
        if not match:
            raise AmountError(text)
        whole, decimals = match.groups()
    return int(whole) * 100 + int(decimals.ljust(2, "0"))


def format_euro(cents, with_cents=True):
    """41224884 -> '€ 412.248,84' (Italian grouping)."""
    if cents is None:
        return "—"
    whole, rest = divmod(abs(int(cents)), 100)
    grouped = f"{whole:,}".replace(",", ".")
    sign = "-" if cents < 0 else ""
    return f"{sign}€ {grouped},{rest:02d}" if with_cents else f"{sign}€ {grouped}"


def cents_to_input(cents):
    """Cents as a form shows them for editing: '412248,84'."""
    if cents is None:
        return ""
    whole, rest = divmod(int(cents), 100)
    return f"{whole},{rest:02d}"
