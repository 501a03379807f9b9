"""Registration from the participant's side: booking a seat, the registration page with its code,
"I miei eventi", and guests who book through a link in a mail. Calendars are in calendar.py."""
from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civiclab.core.errors import DomainError, NotAllowed
from civiclab.core.forms import show_domain_error
from civiclab.core.limits import write_limit
from civiclab.core.pagination import page_number
from civiclab.core.permissions import require
from civiclab.core.qr import qr_svg_data_uri
from civiclab.events import (
    bp,
    calendar,  # noqa: F401  (its .ics routes join the blueprint)
    guests,
    permissions,
    registration_queries,
    services,
    tokens,
)
from civiclab.events.models import Event, Registration, RegistrationState
from civiclab.events.registration_forms import ActionForm, BookingForm, GuestBookingForm
from civiclab.extensions import db, limiter


def mail_limit():
    """Asking for a guest link sends a mail to any address: limited like registering."""
    return current_app.config["RATELIMIT_REGISTER"]


def _guest_address_key():
    """Guest link requests count per address (+tags removed, so tags do not reset the count)."""
    return "guest-address:" + services.guest_address(request.form.get("email", ""))


def _guest_event_key():
    return f"guest-event:{request.view_args.get('event_id')}"


def _visible_event(event_id):
    event = db.get_or_404(Event, event_id)
    if not permissions.can_view_event(current_user, event):
        abort(404)  # a draft does not exist for whoever does not run it
    return event


def _event_page(event, status):
    """The event page again, with the refused form in its booking panel (see booking_panel)."""
    from civiclab.events.routes import _event_page as render_event_page

    return render_event_page(event, status=status)


def _booked_message(registration, position):
    if registration.state is RegistrationState.CONFIRMED and registration.is_guest:
        return _("Iscrizione confermata. Il tuo codice per l'ingresso è %(code)s: lo trovi anche nella "
                 "mail.", code=registration.code)
    if registration.state is RegistrationState.CONFIRMED:
        return _("Iscrizione confermata. Il tuo codice per l'ingresso è %(code)s: lo trovi anche nella mail "
                 "e nelle notifiche.", code=registration.code)
    return _("L'evento è al completo: sei in lista d'attesa, posizione %(position)s. Ti scriviamo appena "
             "si libera un posto.", position=position)


# ---- the booking panel of the event page --------------------------------------------------------

class BookingPanel:
    """What the event page's booking panel offers the current visitor.

    The event page includes templates/events/_booking_panel.html with `event` and `registration`;
    the panel asks `booking_panel(event, registration)` for its forms. After a refused booking
    the route leaves the refused form in `g`, so the panel shows it with its messages.
    """

    def __init__(self, event, registration):
        self.event = event
        self.registration = registration
        self.user = current_user
        self.signed_in = current_user.is_authenticated
        self.problem = event.registration_problem()
        self.cancel_form = ActionForm()
        self.position = (registration_queries.waiting_position(registration)
                         if registration is not None else None)
        self.can_cancel = (registration is not None and registration.is_active
                           and not event.has_started())
        self.needs_confirmation = self.signed_in and not current_user.is_confirmed
        self.not_admitted = self.guest_problem = None
        self.booking_form = self.guest_form = None
        # A refusal the panel has no form to show it on (e.g. booking twice: the panel shows
        # the registration instead) is shown above it.
        refused = g.get("booking_form") or g.get("guest_form")
        self.refusals = []
        if self.problem or registration is not None:
            if refused is not None:
                self.refusals = [message for messages in refused.errors.values() for message in messages]
            return
        if self.signed_in:
            self.not_admitted = services.admission_problem(event, current_user)
            if not self.not_admitted and not self.needs_confirmation:
                self.booking_form = g.get("booking_form") or BookingForm.for_user(current_user, event)
        else:
            self.guest_problem = guests.guest_problem(event)
            if self.guest_problem is None:
                self.guest_form = g.get("guest_form") or GuestBookingForm(formdata=None)


@bp.app_context_processor
def booking_panel_helper():
    return {"booking_panel": BookingPanel}


# ---- booking and cancelling ---------------------------------------------------------------------

@bp.post("/eventi/<id:event_id>/iscrizione")
@login_required
@limiter.limit(write_limit)
def book(event_id):
    event = _visible_event(event_id)
    require(permissions.can_register(current_user))
    form = BookingForm.for_user(current_user, event)
    if form.validate_on_submit():
        try:
            registration = services.book(current_user, event, seats=form.seats.data,
                                         group_name=form.group_name.data or "",
                                         organisation=form.chosen_organisation)
        except DomainError as error:
            show_domain_error(form, error, on_form=True)
        else:
            position = registration_queries.waiting_position(registration)
            flash(_booked_message(registration, position),
                  "success" if registration.state is RegistrationState.CONFIRMED else "info")
            return redirect(url_for("events.registration", registration_id=registration.id))
    g.booking_form = form
    return _event_page(event, 422)


def _registration_for(registration_id):
    """The registration, for its owner or who runs its event (403 for anyone else)."""
    registration = db.get_or_404(Registration, registration_id)
    is_owner = registration.user_id is not None and registration.user_id == current_user.id
    require(is_owner or permissions.can_manage_event(current_user, registration.event))
    return registration, is_owner


@bp.get("/iscrizioni/<id:registration_id>")
@login_required
def registration(registration_id):
    registration, is_owner = _registration_for(registration_id)
    return _registration_page(registration, is_owner=is_owner)


def _registration_page(registration, is_owner=True, guest_token=None, status=200):
    event = registration.event
    confirmed = registration.state is RegistrationState.CONFIRMED
    manager = current_user.is_authenticated and permissions.can_manage_event(current_user, event)
    return render_template(
        "events/registration.html" if guest_token is None else "events/guest_registration.html",
        registration=registration, event=event, is_owner=is_owner, is_manager=manager,
        position=registration_queries.waiting_position(registration),
        qr=qr_svg_data_uri(registration.code) if confirmed else None,
        can_see_link=event.is_online and permissions.can_see_online_link(current_user, event, registration),
        can_cancel=registration.is_active and not event.has_started(),
        cancel_form=ActionForm(), guest_token=guest_token,
    ), status


def _confirmation_asked(registration, action, keep_url):
    """The second step of cancelling, unless this POST is that step's answer.

    Every cancel button posts without `confirm`: it lands on a page that says what is lost and
    asks again, so one mis-tap frees no seats (no JavaScript involved). Returns that page, or
    None when the cancellation was confirmed, or cannot happen (the service then says why)."""
    cancellable = registration.is_active and not registration.event.has_started()
    if request.form.get("confirm") == "yes" or not cancellable:
        return None
    back = "my_events" if request.form.get("back") == "my_events" else None
    return render_template("events/cancel_registration.html", registration=registration, event=registration.event,
                           form=ActionForm(), action=action, back=back,
                           keep_url=url_for("events.my_events") if back else keep_url)


@bp.post("/iscrizioni/<id:registration_id>/annulla")
@login_required
@limiter.limit(write_limit)
def cancel_registration(registration_id):
    registration = db.get_or_404(Registration, registration_id)
    require(permissions.can_cancel_registration(current_user, registration))
    if not ActionForm().validate_on_submit():
        abort(400)
    asked = _confirmation_asked(
        registration, url_for("events.cancel_registration", registration_id=registration.id),
        url_for("events.registration", registration_id=registration.id))
    if asked is not None:
        return asked
    try:
        services.cancel_registration(current_user, registration)
    except NotAllowed:
        raise
    except DomainError as error:
        g.rollback_only = True
        flash(error.message, "danger")
    else:
        flash(_("Iscrizione annullata: i posti tornano disponibili per chi è in lista d'attesa."), "success")
    if request.form.get("back") == "my_events":
        return redirect(url_for("events.my_events"))
    return redirect(url_for("events.registration", registration_id=registration.id))


@bp.get("/account/eventi")
@login_required
def my_events():
    upcoming = registration_queries.upcoming_of(current_user)
    past = db.paginate(registration_queries.past_of_select(current_user),
                       page=page_number(), per_page=current_app.config["PER_PAGE"])
    return render_template(
        "events/my_events.html",
        confirmed=[r for r, _position in upcoming if r.state is RegistrationState.CONFIRMED],
        waiting=[(r, position) for r, position in upcoming if r.state is RegistrationState.WAITING],
        cut=len(upcoming) >= registration_queries.UPCOMING_LIMIT,
        past=past, cancel_form=ActionForm(),
    )


# ---- guests --------------------------------------------------------------------------------------

@bp.post("/eventi/<id:event_id>/iscrizione-ospite")
@limiter.limit(mail_limit)
@limiter.limit(lambda: current_app.config["RATELIMIT_GUEST_ADDRESS"], key_func=_guest_address_key,
               scope="guest-address")
@limiter.limit(lambda: current_app.config["RATELIMIT_GUEST_EVENT"], key_func=_guest_event_key,
               scope="guest-event")
def guest_book(event_id):
    event = _visible_event(event_id)
    if current_user.is_authenticated:
        flash(_("Hai un account: prenota con quello, dal modulo qui sotto."), "info")
        return redirect(url_for("events.event", event_id=event.id))
    form = GuestBookingForm()
    if form.validate_on_submit():
        try:
            guests.request_booking(event, form.name.data, form.email.data)
        except DomainError as error:
            show_domain_error(form, error, on_form=True)
        else:
            return redirect(url_for("events.guest_sent", event_id=event.id))
    g.guest_form = form
    return _event_page(event, 422)


@bp.get("/eventi/<id:event_id>/iscrizione-ospite/inviata")
def guest_sent(event_id):
    event = _visible_event(event_id)
    return render_template("events/guest_sent.html", event=event,
                           hours=tokens.booking_max_age() // 3600)


def _link_problem(problem):
    return render_template("events/guest_link_problem.html", message=problem.message,
                           event=getattr(problem, "event", None)), 400


@bp.route("/iscrizioni/ospite/conferma/<token>", methods=["GET", "POST"])
@limiter.limit(write_limit, methods=["POST"])
def guest_confirm(token):
    try:
        event, name, email = guests.booking_from_link(token)
    except guests.LinkProblem as problem:
        return _link_problem(problem)
    form = ActionForm()
    error = None
    if form.validate_on_submit():
        try:
            registration = services.book_as_guest(event.id, name, email)
        except DomainError as refused:
            error = refused.message
        else:
            flash(_booked_message(registration, registration_queries.waiting_position(registration)),
                  "success" if registration.state is RegistrationState.CONFIRMED else "info")
            return redirect(url_for("events.guest_registration",
                                    token=tokens.registration_token(registration)))
    elif form.is_submitted():
        abort(400)
    status = 422 if error else 200
    return render_template("events/guest_confirm.html", event=event, name=name, email=email, form=form,
                           error=error, problem=guests.guest_problem(event)), status


@bp.get("/iscrizioni/ospite/<token>")
def guest_registration(token):
    try:
        registration = guests.registration_from_link(token)
    except guests.LinkProblem as problem:
        return _link_problem(problem)
    return _registration_page(registration, is_owner=True, guest_token=token)


@bp.post("/iscrizioni/ospite/<token>/annulla")
@limiter.limit(write_limit)
def guest_cancel(token):
    try:
        registration = guests.registration_from_link(token)
    except guests.LinkProblem as problem:
        return _link_problem(problem)
    if not ActionForm().validate_on_submit():
        abort(400)
    asked = _confirmation_asked(registration, url_for("events.guest_cancel", token=token),
                                url_for("events.guest_registration", token=token))
    if asked is not None:
        return asked
    try:
        services.cancel_guest_registration(registration)
    except DomainError as error:
        g.rollback_only = True
        flash(error.message, "danger")
    else:
        flash(_("Prenotazione annullata: grazie di averci avvisato, il posto passa a chi è in lista "
                "d'attesa."), "success")
    return redirect(url_for("events.guest_registration", token=token))
