"""Registration from the participant's side: booking a seat, the registration page with its code,
"I miei eventi", and guests who book through a link in a mail. Calendars are in calendar_routes.py."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civiclab.core.kit import ButtonForm, attempt, limit_writes, page
from civiclab.core.pagination import page_number
from civiclab.core.permissions import require
from civiclab.core.qr import qr_svg_data_uri
from civiclab.events import bp, guests, permissions, registration_queries, services, tokens
from civiclab.events.event_page import event_page
from civiclab.events.queries import load_event, load_registration
from civiclab.events.registration_forms import BookingForm, GuestBookingForm
from civiclab.extensions import db


def _guest_address_key():
    """Guest link requests count per address (+tags removed, so tags do not reset the count)."""
    return "guest-address:" + services.guest_address(request.form.get("email", ""))


def _guest_event_key():
    return f"guest-event:{request.view_args.get('event_id')}"


def _booked_message(registration):
    position = registration.position_when_booked or registration_queries.waiting_position(registration)
    if registration.is_confirmed and registration.is_guest:
        return _("Iscrizione confermata. Il tuo codice per l'ingresso è %(code)s: lo trovi anche nella "
                 "mail.", code=registration.code)
    if registration.is_confirmed:
        return _("Iscrizione confermata. Il tuo codice per l'ingresso è %(code)s: lo trovi anche nella mail "
                 "e nelle notifiche.", code=registration.code)
    return _("L'evento è al completo: sei in lista d'attesa, posizione %(position)s. Ti scriviamo appena "
             "si libera un posto.", position=position)


# ---- booking and cancelling ---------------------------------------------------------------------

@bp.post("/eventi/<id:event_id>/iscrizione")
@login_required
@limit_writes()
def book(event_id):
    event = load_event(event_id)
    require(permissions.can_register(current_user))
    form = BookingForm.for_user(current_user, event)
    booked = form.validate_on_submit() and attempt(
        services.book, current_user, event, seats=form.seats.data, group_name=form.group_name.data or "",
        organisation=form.chosen_organisation, form=form, on_form=True)
    if not booked:
        return event_page(event, refused=form)
    registration = booked.value
    flash(_booked_message(registration),
          "success" if registration.is_confirmed else "info")
    return redirect(url_for("events.registration", registration_id=registration.id))


@bp.get("/iscrizioni/<id:registration_id>")
@login_required
def registration(registration_id):
    registration = load_registration(registration_id)
    return _registration_page(registration, is_owner=permissions.is_registration_owner(current_user, registration))


def _registration_page(registration, is_owner=True, guest_token=None):
    event = registration.event
    manager = permissions.can_manage_event(current_user, event)
    return render_template(
        "events/registration.html" if guest_token is None else "events/guest_registration.html",
        registration=registration, event=event, is_owner=is_owner, is_manager=manager,
        position=registration_queries.waiting_position(registration),
        qr=qr_svg_data_uri(registration.code) if registration.is_confirmed else None,
        can_see_link=event.is_online and permissions.can_see_online_link(current_user, event, registration),
        # who may cancel it was decided when the page was loaded (its owner, who runs the event, the
        # guest's link); whether it can still be cancelled is the registration's own rule
        can_cancel=registration.can_be_cancelled,
        cancel_form=ButtonForm(), guest_token=guest_token,
    )


def _confirmation_asked(registration, action, keep_url):
    """The second step of cancelling, unless this POST is that step's answer.

    Every cancel button posts without `confirm`: it lands on a page that says what is lost and
    asks again, so one mis-tap frees no seats (no JavaScript involved). Returns that page, or
    None when the cancellation was confirmed, or cannot happen (the service then says why)."""
    if request.form.get("confirm") == "yes" or not registration.can_be_cancelled:
        return None
    back = "my_events" if request.form.get("back") == "my_events" else None
    return render_template("events/cancel_registration.html", registration=registration, event=registration.event,
                           form=ButtonForm(), action=action, back=back,
                           keep_url=url_for("events.my_events") if back else keep_url)


@bp.post("/iscrizioni/<id:registration_id>/annulla")
@login_required
@limit_writes()
def cancel_registration(registration_id):
    registration = load_registration(registration_id, for_="cancel")
    if not ButtonForm().validate_on_submit():
        abort(400)
    asked = _confirmation_asked(
        registration, url_for("events.cancel_registration", registration_id=registration.id),
        url_for("events.registration", registration_id=registration.id))
    if asked is not None:
        return asked
    if attempt(services.cancel_registration, current_user, registration):
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
        confirmed=[r for r, _position in upcoming if r.is_confirmed],
        waiting=[(r, position) for r, position in upcoming if r.is_waiting],
        cut=len(upcoming) >= registration_queries.UPCOMING_LIMIT,
        past=past, cancel_form=ButtonForm(),
    )


# ---- guests --------------------------------------------------------------------------------------

@bp.get("/eventi/<id:event_id>/prenota-senza-account")
def guest_book_form(event_id):
    """The event page with the guest booking form open: a page of its own, so the event page
    every visitor shares holds no token (core/page_cache.py)."""
    event = load_event(event_id)
    if current_user.is_authenticated:
        return redirect(url_for("events.event", event_id=event.id))
    return event_page(event, with_guest_form=True)


@bp.post("/eventi/<id:event_id>/iscrizione-ospite")
@limit_writes("RATELIMIT_REGISTER")  # the link goes by mail to any address: limited like registering
@limit_writes("RATELIMIT_GUEST_ADDRESS", per=_guest_address_key)
@limit_writes("RATELIMIT_GUEST_EVENT", per=_guest_event_key)
def guest_book(event_id):
    event = load_event(event_id)
    if current_user.is_authenticated:
        flash(_("Hai un account: prenota con quello, dal modulo qui sotto."), "info")
        return redirect(url_for("events.event", event_id=event.id))
    form = GuestBookingForm()
    if form.validate_on_submit() and attempt(guests.request_booking, event, form.name.data, form.email.data,
                                             form=form, on_form=True):
        return redirect(url_for("events.guest_sent", event_id=event.id))
    return event_page(event, refused=form)


@bp.get("/eventi/<id:event_id>/iscrizione-ospite/inviata")
def guest_sent(event_id):
    event = load_event(event_id)
    return render_template("events/guest_sent.html", event=event,
                           hours=tokens.booking_max_age() // 3600)


@bp.errorhandler(guests.LinkProblem)
def link_problem(problem):
    """A guest's link that cannot be used (expired, altered, its event gone) explains why."""
    return render_template("events/guest_link_problem.html", message=problem.message,
                           event=getattr(problem, "event", None)), 400


@bp.route("/iscrizioni/ospite/conferma/<token>", methods=["GET", "POST"])
@limit_writes()
def guest_confirm(token):
    event, name, email = guests.booking_from_link(token)
    form = ButtonForm()
    if form.validate_on_submit():
        booked = attempt(services.book_as_guest, event.id, name, email, form=form, on_form=True)
        if booked:
            registration = booked.value
            flash(_booked_message(registration),
                  "success" if registration.is_confirmed else "info")
            return redirect(url_for("events.guest_registration", token=tokens.registration_token(registration)))
    elif form.is_submitted():
        abort(400)
    return page("events/guest_confirm.html", event=event, name=name, email=email, form=form,
                problem=guests.guest_problem(event))


@bp.get("/iscrizioni/ospite/<token>")
def guest_registration(token):
    return _registration_page(guests.registration_from_link(token), is_owner=True, guest_token=token)


@bp.post("/iscrizioni/ospite/<token>/annulla")
@limit_writes()
def guest_cancel(token):
    registration = guests.registration_from_link(token)
    if not ButtonForm().validate_on_submit():
        abort(400)
    asked = _confirmation_asked(registration, url_for("events.guest_cancel", token=token),
                                url_for("events.guest_registration", token=token))
    if asked is not None:
        return asked
    if attempt(services.cancel_guest_registration, registration):
        flash(_("Prenotazione annullata: grazie di averci avvisato, il posto passa a chi è in lista "
                "d'attesa."), "success")
    return redirect(url_for("events.guest_registration", token=token))
