"""URL converters every domain's routes share: `<id:name>` for the id of a row."""
from werkzeug.routing import IntegerConverter

from civiclab.core.forms import MAX_ID


def digits_up_to(limit):
    """A regular expression of the ASCII numbers 1 … `limit` (leading zeros allowed), nothing else."""
    digits = str(limit)
    alternatives = [f"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    for position, digit in enumerate(digits):
        lowest = 1 if position == 0 else 0
        if int(digit) > lowest:
            alternatives.append(f"{digits[:position]}[{lowest}-{int(digit) - 1}][0-9]{{{len(digits) - position - 1}}}")
    return "0*(?:" + "|".join([*alternatives, digits]) + ")"


class IdConverter(IntegerConverter):
    """`<id:event_id>`: ASCII digits naming a positive id a row can have (1 … 2³¹-1).

    Anything else does not match the rule, so the address is a 404 like any unknown one, before a
    route runs: an INTEGER column on PostgreSQL cannot even compare with 2³¹, and no route has to
    repeat a range check. The range is in the regular expression itself (`\\d` would also take
    other scripts' digits, which int() accepts): a number out of range matches no rule at all, so
    an address with operations by several methods (GET and PATCH of one API resource) is a 404
    for it, not a 405.
    """

    regex = digits_up_to(MAX_ID - 1)

    def __init__(self, map):
        super().__init__(map, min=1, max=MAX_ID - 1)


def register_converters(app):
    """Before any blueprint is registered: rules look their converters up when they are added."""
    app.url_map.converters["id"] = IdConverter
