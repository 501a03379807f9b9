"""What a client may send on the /rooms socket: each event's fields, checked before anything else.

Every event's payload passes `clean(event, data)` before its handler runs, so nothing a client
sent reaches the database or the rate limiter unchecked: ids are integers in range, texts are
strings of bounded length without NUL or lone surrogates (which no database column and no UTF-8
encoder accept). A field that does not fit is refused as `invalid` with a message people read;
fields the event does not know are dropped.
"""
from flask_babel import lazy_gettext as _l

from civiclab.core.kit import REASON_MAX
from civiclab.rooms.models import CLIENT_KEY_MAX, MESSAGE_MAX

ID_MAX = 2**63 - 1


class PayloadError(ValueError):
    def __init__(self, message, field=None):
        super().__init__(message)
        self.message, self.field = message, field


def is_id(value, minimum=1):
    return isinstance(value, int) and not isinstance(value, bool) and minimum <= value <= ID_MAX


def unstorable(text):
    """True when `text` holds a NUL or a lone surrogate: no column stores it, no encoder writes it."""
    return "\x00" in text or any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)


# ---- field rules: value -> cleaned value, or PayloadError -------------------------------------

def identifier(message, minimum=1, optional=False):
    def check(value):
        if value is None and optional:
            return None
        if not is_id(value, minimum):
            raise PayloadError(message)
        return value

    return check


def text(max_length, too_long, invalid, optional=False, printable=False):
    """A string of at most `max_length` characters once stripped of surrounding space."""

    def check(value):
        if value is None or value == "":
            if optional:
                return None
            value = ""
        if not isinstance(value, str) or unstorable(value) or (printable and not value.isprintable()):
            raise PayloadError(invalid)
        if len(value.strip()) > max_length:
            raise PayloadError(too_long)
        return value

    return check


ROOM = identifier(_l("Stanza non valida."))
LAST_ID = identifier(_l("Ultimo messaggio non valido."), minimum=0)
SCHEMAS = {
    "join": {"room": ROOM, "after": identifier(_l("Ultimo messaggio non valido."), minimum=0, optional=True)},
    "leave": {"room": ROOM},
    "message": {
        "room": ROOM,
        "body": text(MESSAGE_MAX, _l("Il messaggio può avere al massimo %(n)d caratteri.", n=MESSAGE_MAX),
                     _l("Il messaggio contiene caratteri non validi.")),
        "key": text(CLIENT_KEY_MAX, _l("Chiave del messaggio non valida."), _l("Chiave del messaggio non valida."),
                    optional=True, printable=True),
    },
    "typing": {"room": ROOM},
    "read": {"room": ROOM, "last_id": LAST_ID},
    "report": {
        "room": ROOM,
        "id": identifier(_l("Messaggio non valido.")),
        "reason": text(REASON_MAX,
                       _l("Il motivo può avere al massimo %(n)d caratteri.", n=REASON_MAX),
                       _l("Il motivo contiene caratteri non validi.")),
    },
}


def clean(event, data):
    """The payload of `event` with each known field checked; raises PayloadError."""
    if not isinstance(data, dict):
        raise PayloadError(_l("Richiesta non valida."))
    cleaned = {}
    for name, check in SCHEMAS[event].items():
        try:
            cleaned[name] = check(data.get(name))
        except PayloadError as error:
            error.field = name
            raise
    return cleaned
