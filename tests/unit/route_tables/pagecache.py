"""Route walk rows of the page-cache work: the visitors' language links (core/routes.py
`choose_language`) and the guest booking page (events `guest_book_form`)."""
from tests.unit.route_tables.common import everyone, signed_in

ROUTES = {
    # anyone may choose the page language by a link; it leads back to the page it was chosen on
    "core.choose_language": ("GET", lambda w: "/lingua/en?next=/", everyone(302)),
    # the event page with the guest booking form open: visitors only (signed in: back to the event)
    "events.guest_book_form": ("GET", lambda w: f"/eventi/{w['door_event'].id}/prenota-senza-account",
                               signed_in(302, anonymous=200)),
}
