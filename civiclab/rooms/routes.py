"""Room pages: a room read without JavaScript (the last 50 messages, older ones by keyset pages),
writing by POST when the socket is not there, moderation over HTTP with its reason, working rooms
of a lab, my rooms with their unread counts.

Rooms are loaded by rooms.queries.load_room (404 for who may not read, 403 for who may not
moderate); a service's refusal is shown on the room page by the route kit (core/kit.py). The live
part (static/js/rooms/ and rooms/sockets.py) builds on this page: it reads the room's id, the last
message shown and the limits from the page's data attributes.
"""
import uuid

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civiclab.accounts.models import User
from civiclab.core.form_keys import same_content_is_a_repeat
from civiclab.core.forms import filter_id
from civiclab.core.kit import REASON_MAX, ReasonForm, attempt, limit_writes, page
from civiclab.extensions import db
from civiclab.places.roles import role_badges
from civiclab.rooms import bp, queries, services
from civiclab.rooms.forms import (
    MUTE_CHOICES,
    READERS_CHOICES,
    MessageForm,
    MuteForm,
    ReadersForm,
    WorkingRoomForm,
)
from civiclab.rooms.limits import TYPING_INTERVAL
from civiclab.rooms.models import MESSAGE_MAX
from civiclab.rooms.permissions import (
    can_moderate_room,
    can_report_in_readable_room,
    can_set_room_readers,
    write_refusal,
)


def _room_url(room, message=None):
    anchor = f"messaggio-{message.id}" if message is not None else "scrivi"
    return url_for("rooms.room", room_id=room.id, _anchor=anchor)


def _first_error(form):
    errors = form.errors if form is not None else {}
    return next(iter(errors.values()))[0] if errors else None


def _room_page(room, form=None, refused=None, status=None):
    """The room page. `form` is the message form sent back with what was typed after a refused
    POST; `refused`, a moderation or report form whose problem is shown above the messages."""
    before_id = filter_id(request.args.get("prima")) if request.method == "GET" else None
    messages, has_older = queries.history(room, before_id)
    live = before_id is None
    refusal = write_refusal(current_user, room, **queries.write_facts(current_user, room))
    if live and messages:
        services.mark_read(current_user, room, messages[-1].id)
    if form is None:
        form = MessageForm(formdata=None, data={"key": uuid.uuid4().hex})
    subject_name, subject_url = _subject_link(room)
    return page(
        "rooms/room.html", status, room=room, messages=messages, has_older=has_older, live=live,
        subject_name=subject_name, subject_url=subject_url, mute_choices=MUTE_CHOICES,
        refusal=refusal, can_moderate=can_moderate_room(current_user, room), form=form,
        form_error=_first_error(form), error=_first_error(refused), can_report=_reporter(),
        can_set_readers=can_set_room_readers(current_user, room), readers_choices=READERS_CHOICES,
        badges=role_badges(message.author for message in messages),
        message_max=MESSAGE_MAX, reason_max=REASON_MAX, typing_interval=TYPING_INTERVAL,
    )


def _reporter():
    """The page's test for a "segnala" under a message (the room is readable: it is shown)."""
    return lambda message: can_report_in_readable_room(current_user, message)


def _subject_link(room):
    """(name, address) of what the room is beside."""
    if room.event is not None:
        return room.event.title, url_for("events.event", event_id=room.event.id)
    if room.project is not None:
        return room.project.title, url_for("programmes.project", code=room.project.code)
    lab = room.lab
    return lab.name, url_for("pages.lab", city_slug=lab.city.slug, lab_slug=lab.slug)


# ---- reading -------------------------------------------------------------------------------

@bp.get("/stanze")
@login_required
def index():
    """My rooms with their unread counts (four queries at most, however many rooms)."""
    rooms = queries.my_readable_rooms(current_user)
    counts = queries.unread_counts(current_user, [room.id for room in rooms])
    return page("rooms/index.html", rooms=rooms, counts=counts)


@bp.get("/stanze/<id:room_id>")
def room(room_id):
    return _room_page(queries.load_room(room_id))


# ---- writing without JavaScript ------------------------------------------------------------

@bp.post("/stanze/<id:room_id>/messaggi")
@login_required
@limit_writes()
def post_message(room_id):
    """Muted, locked, not registered, empty, too fast…: said on the form, what was typed kept."""
    room = queries.load_room(room_id)
    form = MessageForm()
    if form.validate_on_submit():
        sent = attempt(services.post_message, current_user, room, form.body.data, form.key.data or None,
                       form=form, on_form=True)
        if sent:
            message, _created = sent.value
            return redirect(_room_url(room, message))
        if sent.error.code == "rate_limited":
            return _room_page(room, form=form, status=429)
    return _room_page(room, form=form)


# ---- reporting a message --------------------------------------------------------------------

@bp.post("/stanze/<id:room_id>/messaggi/<id:message_id>/segnala")
@login_required
@limit_writes()
def report_message(room_id, message_id):
    """A reader reports a message to the moderators (the form under each message, no JavaScript
    needed). A second report of the same message, e.g. a double submission, is said, not stored."""
    room = queries.load_room(room_id)
    message = queries.load_message(room, message_id)
    form = ReasonForm()
    if form.validate_on_submit():
        report = attempt(services.report_message, current_user, message, form.reason.data, form=form, on_form=True)
        if report:
            flash(_("Grazie: la segnalazione è arrivata ai moderatori della stanza."), "success")
            return redirect(_room_url(room, message))
        if report.error.code == "already_reported":
            flash(report.error.message, "info")
            return redirect(_room_url(room, message))
        if report.error.code == "forbidden":  # an account not confirmed yet
            return _room_page(room, refused=form, status=403)
    return _room_page(room, refused=form)


# ---- moderation ----------------------------------------------------------------------------

@bp.post("/stanze/<id:room_id>/messaggi/<id:message_id>/elimina")
@login_required
@limit_writes()
def delete_message(room_id, message_id):
    room = queries.load_room(room_id, for_="moderate")
    message = queries.load_message(room, message_id)
    form = ReasonForm()
    if form.validate_on_submit() and attempt(services.delete_message, current_user, message, form.reason.data,
                                             form=form, on_form=True):
        flash(_("Messaggio eliminato: al suo posto resta un segnaposto."), "success")
        return redirect(_room_url(room, message))
    return _room_page(room, refused=form)


@bp.post("/stanze/<id:room_id>/silenzia/<id:user_id>")
@login_required
@limit_writes()
def mute(room_id, user_id):
    room = queries.load_room(room_id, for_="moderate")
    user = db.get_or_404(User, user_id)
    form = MuteForm()
    if form.validate_on_submit() and attempt(services.mute_user, current_user, room, user, form.minutes.data,
                                             form.reason.data, form=form, on_form=True):
        flash(_("%(name)s è silenziato in questa stanza.", name=user.display_name), "success")
        return redirect(url_for("rooms.room", room_id=room.id))
    return _room_page(room, refused=form)


@bp.post("/stanze/<id:room_id>/lettori")
@login_required
@limit_writes()
def readers(room_id):
    """Facilitators choose who reads an event's room: anyone, or its participants only."""
    room = queries.load_room(room_id, for_="set_readers")
    form = ReadersForm()
    if form.validate_on_submit() and attempt(services.set_participants_only, current_user, room,
                                             form.readers.data == "iscritti", form=form, on_form=True):
        flash(_("Ora solo chi è iscritto all'evento legge la stanza.") if room.participants_only
              else _("Ora chiunque legge la stanza."), "success")
        return redirect(url_for("rooms.room", room_id=room.id))
    return _room_page(room, refused=form)


def _set_locked(room_id, locked, done):
    room = queries.load_room(room_id, for_="moderate")
    form = ReasonForm()
    if form.validate_on_submit() and attempt(services.set_locked, current_user, room, locked, form.reason.data,
                                             form=form, on_form=True):
        flash(done, "success")
        return redirect(url_for("rooms.room", room_id=room.id))
    return _room_page(room, refused=form)


@bp.post("/stanze/<id:room_id>/chiudi")
@login_required
@limit_writes()
def lock(room_id):
    return _set_locked(room_id, True, _("La stanza è ora in sola lettura."))


@bp.post("/stanze/<id:room_id>/riapri")
@login_required
@limit_writes()
def unlock(room_id):
    return _set_locked(room_id, False, _("La stanza è di nuovo aperta."))


# ---- working rooms of a lab ----------------------------------------------------------------

@bp.route("/gestione/laboratori/<id:lab_id>/stanze/nuova", methods=["GET", "POST"])
@login_required
@limit_writes()
@same_content_is_a_repeat  # Back and "Invia" again: the first result, not a copy
def working_room_new(lab_id):
    lab = queries.load_lab(lab_id, for_="open_working_room")
    form = WorkingRoomForm()
    if form.validate_on_submit():
        opened = attempt(services.open_working_room, current_user, lab, form.title.data, form.member_ids, form=form)
        if opened:
            flash(_("Stanza «%(title)s» aperta.", title=opened.value.title), "success")
            return redirect(url_for("rooms.room", room_id=opened.value.id))
    return page("rooms/working_room_form.html", form=form, lab=lab)
