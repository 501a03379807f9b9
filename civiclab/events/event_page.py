"""The event page: what it shows the current visitor, built by its route, and again by a booking
route whose form was refused (the form then comes back in the booking panel, with its messages).
"""
from flask_login import current_user

from civiclab.accounts.permissions import meets_identity_requirement
from civiclab.core.kit import ButtonForm, page
from civiclab.core.sections import sections_of
from civiclab.events import guests, permissions, registration_queries, services
from civiclab.events.registration_forms import BookingForm, GuestBookingForm


class BookingPanel:
    """What the event page's booking panel (templates/events/_booking_panel.html) offers the
    current visitor: their registration, or the form to book, or why they cannot.

    `refused` is a booking or guest form a booking route could not accept: the panel shows it
    with its messages, or, when it has no form to show it on (e.g. booking twice: the panel
    shows the registration instead), its messages above the panel.

    A visitor's event page is the same for every visitor (it comes from the page cache), so it
    holds no form with a CSRF token or a form key: it links to the guest booking page
    (`with_guest_form`), which is the event page with the guest form open.
    """

    def __init__(self, event, registration, refused=None, with_guest_form=False):
        self.event = event
        self.registration = registration
        self.signed_in = current_user.is_authenticated
        self.problem = event.registration_problem()
        self.cancel_form = ButtonForm() if registration is not None else None
        self.position = (registration_queries.waiting_position(registration)
                         if registration is not None else None)
        self.can_cancel = registration is not None and registration.can_be_cancelled
        self.needs_confirmation = self.signed_in and not current_user.is_confirmed
        # "solo con SPID/CIE": an account without a verified identity is told why, not given a form
        # (a visitor is asked to sign in, and the guest booking says it is closed: guests.guest_problem)
        self.needs_identity = self.signed_in and not meets_identity_requirement(current_user, event.requires_identity)
        self.not_admitted = self.guest_problem = None
        self.booking_form = self.guest_form = None
        self.guest_link = False
        self.refusals = []
        if self.problem or registration is not None:
            if refused is not None:
                self.refusals = [message for messages in refused.errors.values() for message in messages]
            return
        if self.signed_in:
            self.not_admitted = services.admission_problem(event, current_user)
            if not self.not_admitted and not self.needs_confirmation and not self.needs_identity:
                self.booking_form = (refused if isinstance(refused, BookingForm)
                                     else BookingForm.for_user(current_user, event))
        else:
            self.guest_problem = guests.guest_problem(event)
            if self.guest_problem is not None:
                pass
            elif isinstance(refused, GuestBookingForm):
                self.guest_form = refused
            elif with_guest_form:
                self.guest_form = GuestBookingForm(formdata=None)
            else:
                self.guest_link = True


def event_page(event, refused=None, with_guest_form=False):
    """The event page for the current visitor (422 after a POST: a form was refused); with the
    guest booking form open on the guest booking page."""
    registration = services.active_registration_of(current_user, event)
    can_manage = permissions.can_manage_event(current_user, event)
    return page(
        "events/event.html", event=event, registration=registration, can_manage=can_manage,
        can_see_link=permissions.can_see_online_link(current_user, event, registration),
        registration_problem=event.registration_problem(),
        action_form=ButtonForm() if can_manage else None,
        panel=BookingPanel(event, registration, refused=refused, with_guest_form=with_guest_form),
        sections=sections_of("event", event),
    )
