"""URL converters every domain's routes share: `<id:name>` for the id of a row."""
from werkzeug.routing import IntegerConverter

from civiclab.core.forms import MAX_ID


class IdConverter(IntegerConverter):
    """`<id:event_id>`: ASCII digits naming a positive id a row can have (1 … 2³¹-1).

    Anything else does not match the rule, so the address is a 404 like any unknown one, before a
    route runs: an INTEGER column on PostgreSQL cannot even compare with 2³¹, and no route has to
    repeat a range check.
    """

    regex = r"[0-9]+"  # `\d` would also take other scripts' digits, which int() accepts

    def __init__(self, map):
        super().__init__(map, min=1, max=MAX_ID - 1)


def register_converters(app):
    """Before any blueprint is registered: rules look their converters up when they are added."""
    app.url_map.converters["id"] = IdConverter
