"""Room pages: a room read without JavaScript (the last 50 messages, older ones by keyset pages),
writing by POST when the socket is not there, moderation over HTTP with its reason, working rooms
of a lab, my rooms with their unread counts, and the links and header count other pages show.

The live part (static/js/rooms.js and rooms/sockets.py) builds on this page: it reads the room's
id and the last message shown from the page's data attributes.
"""
import uuid

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civiclab.rooms import bp
from civiclab.accounts.models import User
from civiclab.core.errors import DomainError
from civiclab.core.form_keys import same_content_is_a_repeat
from civiclab.core.forms import filter_id
from civiclab.core.limits import write_limit
from civiclab.core.permissions import require
from civiclab.extensions import db, limiter
from civiclab.places.models import Lab
from civiclab.places.roles import role_badges
from civiclab.rooms import personal_data, queries, services  # noqa: F401  (personal_data: export, deletion)
from civiclab.rooms.forms import (
    MUTE_CHOICES,
    READERS_CHOICES,
    MessageForm,
    MuteForm,
    ReadersForm,
    ReasonForm,
    ReportForm,
    WorkingRoomForm,
)
from civiclab.rooms.models import Message, RoomKind, RoomMember
from civiclab.rooms.permissions import (
    can_moderate_room,
    can_open_working_room,
    can_read_room,
    can_report_in_readable_room,
    can_set_room_readers,
    write_refusal,
)

bp.add_app_template_global(can_open_working_room)


def _readable_room(room_id):
    room = queries.room_by_id(room_id)
    if room is None or not can_read_room(current_user, room):
        abort(404)  # a working room or a draft event's room does not exist for who may not read it
    return room


def _room_url(room, message=None):
    anchor = f"messaggio-{message.id}" if message is not None else "scrivi"
    return url_for("rooms.room", room_id=room.id, _anchor=anchor)


def _form_problem(form):
    """The first error of a form that did not validate (a missing CSRF token is a bad request)."""
    if "csrf_token" in form.errors:
        abort(400)
    return next(iter(form.errors.values()))[0]


def _room_page(room, status=200, form=None, form_error=None, error=None):
    """The room page; `form` comes back with what was typed after a refused POST, `error` is a
    moderation form's problem, shown above the messages."""
    before_id = filter_id(request.args.get("prima")) if request.method == "GET" else None
    # One more than a page: if it comes back, there is an older page (no COUNT needed).
    if before_id is not None:
        rows = queries.before(room, before_id, queries.PAGE + 1)
    else:
        rows = queries.latest(room, queries.PAGE + 1)
    has_older = len(rows) > queries.PAGE
    messages = rows[-queries.PAGE:]
    live = before_id is None
    refusal = write_refusal(current_user, room, **queries.write_facts(current_user, room))
    if live and messages:
        services.mark_read(current_user, room, messages[-1].id)
    if form is None:
        form = MessageForm(formdata=None, data={"key": uuid.uuid4().hex})
    subject_name, subject_url = _subject_link(room)
    return render_template(
        "rooms/room.html", room=room, messages=messages, has_older=has_older, live=live,
        subject_name=subject_name, subject_url=subject_url, mute_choices=MUTE_CHOICES,
        refusal=refusal, can_moderate=can_moderate_room(current_user, room), form=form,
        form_error=form_error, error=error, can_report=_reporter(room),
        can_set_readers=can_set_room_readers(current_user, room), readers_choices=READERS_CHOICES,
        badges=role_badges(message.author for message in messages),
    ), status


def _reporter(room):
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
    """My rooms with their unread counts (three queries however many rooms)."""
    rooms = _my_readable_rooms()
    counts = queries.unread_counts(current_user, [room.id for room in rooms])
    return render_template("rooms/index.html", rooms=rooms, counts=counts)


def _my_readable_rooms():
    """My rooms that I may still read (a read marker outlives a facilitator role or a membership)."""
    rooms = queries.my_rooms(current_user)
    member_of = set(db.session.scalars(
        sa.select(RoomMember.room_id).where(RoomMember.user_id == current_user.id)))
    registrations = queries.active_registration_states(
        current_user, [room.event_id for room in rooms if room.kind is RoomKind.EVENT and room.participants_only])
    return [room for room in rooms if _may_read(room, member_of, registrations)]


def _may_read(room, member_of, registrations):
    """can_read_room with the user's working-room memberships and registrations preloaded."""
    if room.kind is RoomKind.LAB_WORKING:
        return room.id in member_of or can_moderate_room(current_user, room)
    if room.kind is RoomKind.EVENT:
        return can_read_room(current_user, room, registrations.get(room.event_id))
    return can_read_room(current_user, room)


@bp.get("/stanze/<id:room_id>")
def room(room_id):
    return _room_page(_readable_room(room_id))


# ---- writing without JavaScript ------------------------------------------------------------

@bp.post("/stanze/<id:room_id>/messaggi")
@login_required
@limiter.limit(write_limit)
def post_message(room_id):
    room = _readable_room(room_id)
    form = MessageForm()
    if not form.validate_on_submit():
        return _room_page(room, status=422, form=form, form_error=_form_problem(form))
    try:
        message, _created = services.post_message(current_user, room, form.body.data, form.key.data or None)
    except DomainError as error:  # muted, locked, not registered, empty, too fast…: said on the form
        status = 429 if getattr(error, "code", None) == "rate_limited" else 422
        return _room_page(room, status=status, form=form, form_error=error.message)
    return redirect(_room_url(room, message))


# ---- reporting a message --------------------------------------------------------------------

def _message_in(room, message_id):
    message = db.session.get(Message, message_id)
    if message is None or message.room_id != room.id:
        abort(404)
    return message


@bp.post("/stanze/<id:room_id>/messaggi/<id:message_id>/segnala")
@login_required
@limiter.limit(write_limit)
def report_message(room_id, message_id):
    """A reader reports a message to the moderators (the form under each message, no JavaScript
    needed). A second report of the same message, e.g. a double submission, is said, not stored."""
    room = _readable_room(room_id)
    message = _message_in(room, message_id)
    form = ReportForm()
    if not form.validate_on_submit():
        return _room_page(room, status=422, error=_form_problem(form))
    try:
        services.report_message(current_user, message, form.reason.data)
    except DomainError as error:
        if getattr(error, "code", None) != "already_reported":
            return _room_page(room, status=403 if error.code == "forbidden" else 422, error=error.message)
        flash(error.message, "info")
    else:
        flash(_("Grazie: la segnalazione è arrivata ai moderatori della stanza."), "success")
    return redirect(_room_url(room, message))


# ---- moderation ----------------------------------------------------------------------------

def _moderated_room(room_id):
    room = _readable_room(room_id)
    require(can_moderate_room(current_user, room))
    return room


def _moderate(room, form, action, done, back_to=None):
    """Run `action(reason)` when the form holds a reason; the room page with the problem if not."""
    if not form.validate_on_submit():
        return _room_page(room, status=422, error=_form_problem(form))
    try:
        action(form)
    except DomainError as error:
        return _room_page(room, status=422, error=error.message)
    flash(done, "success")
    return redirect(_room_url(room, back_to) if back_to is not None else url_for("rooms.room", room_id=room.id))


@bp.post("/stanze/<id:room_id>/messaggi/<id:message_id>/elimina")
@login_required
@limiter.limit(write_limit)
def delete_message(room_id, message_id):
    room = _moderated_room(room_id)
    message = _message_in(room, message_id)
    return _moderate(room, ReasonForm(), lambda form: services.delete_message(current_user, message, form.reason.data),
                     _("Messaggio eliminato: al suo posto resta un segnaposto."), back_to=message)


@bp.post("/stanze/<id:room_id>/silenzia/<id:user_id>")
@login_required
@limiter.limit(write_limit)
def mute(room_id, user_id):
    room = _moderated_room(room_id)
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return _moderate(room, MuteForm(),
                     lambda form: services.mute_user(current_user, room, user, form.minutes.data, form.reason.data),
                     _("%(name)s è silenziato in questa stanza.", name=user.display_name))


@bp.post("/stanze/<id:room_id>/lettori")
@login_required
@limiter.limit(write_limit)
def readers(room_id):
    """Facilitators choose who reads an event's room: anyone, or its participants only."""
    room = _readable_room(room_id)
    require(can_set_room_readers(current_user, room))
    form = ReadersForm()
    if not form.validate_on_submit():
        return _room_page(room, status=422, error=_form_problem(form))
    services.set_participants_only(current_user, room, form.readers.data == "iscritti")
    flash(_("Ora solo chi è iscritto all'evento legge la stanza.") if room.participants_only
          else _("Ora chiunque legge la stanza."), "success")
    return redirect(url_for("rooms.room", room_id=room.id))


@bp.post("/stanze/<id:room_id>/chiudi")
@login_required
@limiter.limit(write_limit)
def lock(room_id):
    room = _moderated_room(room_id)
    return _moderate(room, ReasonForm(), lambda form: services.set_locked(current_user, room, True, form.reason.data),
                     _("La stanza è ora in sola lettura."))


@bp.post("/stanze/<id:room_id>/riapri")
@login_required
@limiter.limit(write_limit)
def unlock(room_id):
    room = _moderated_room(room_id)
    return _moderate(room, ReasonForm(), lambda form: services.set_locked(current_user, room, False, form.reason.data),
                     _("La stanza è di nuovo aperta."))


# ---- working rooms of a lab ----------------------------------------------------------------

@bp.route("/gestione/laboratori/<id:lab_id>/stanze/nuova", methods=["GET", "POST"])
@login_required
@limiter.limit(write_limit, methods=["POST"])
@same_content_is_a_repeat  # Back and "Invia" again: the first result, not a copy
def working_room_new(lab_id):
    lab = db.get_or_404(Lab, lab_id)
    require(can_open_working_room(current_user, lab))
    form = WorkingRoomForm()
    if form.validate_on_submit():
        emails = form.emails()
        users = db.session.scalars(
            sa.select(User).where(sa.func.lower(User.email).in_(emails))).all() if emails else []
        unknown = [email for email in emails if email not in {user.email.lower() for user in users}]
        if unknown:
            form.members.errors = [*form.members.errors, _(
                "Nessun account registrato con questi indirizzi: %(emails)s.", emails=", ".join(unknown))]
        else:
            try:
                room = services.open_working_room(current_user, lab, form.title.data, [user.id for user in users])
            except DomainError as error:
                form.title.errors = [*form.title.errors, error.message]
            else:
                flash(_("Stanza «%(title)s» aperta.", title=room.title), "success")
                return redirect(url_for("rooms.room", room_id=room.id))
    status = 422 if request.method == "POST" else 200
    return render_template("rooms/working_room_form.html", form=form, lab=lab), status


# ---- what other pages show: the header count, links to rooms, a lab's working rooms -------

@bp.app_context_processor
def rooms_helpers():
    def rooms_unread():
        """The header's unread count: one query per request, only when it is asked for."""
        if not current_user.is_authenticated:
            return 0
        if "rooms_unread" not in g:
            try:
                g.rooms_unread = queries.unread_total(current_user)
                if g.rooms_unread:  # one query when nothing is unread; else only readable rooms count
                    g.rooms_unread = sum(queries.unread_counts(
                        current_user, [room.id for room in _my_readable_rooms()]).values())
            except sa.exc.SQLAlchemyError:
                db.session.rollback()  # an error page after a broken transaction still renders
                g.rooms_unread = 0
        return g.rooms_unread

    return {"rooms_unread": rooms_unread}


@bp.app_template_global()
def room_with_count(subject):
    """(room, messages) beside an event, project or lab, for its page's link: one query (two for
    a participants-only event room); (None, 0) when the visitor may not read the room."""
    room, count = queries.room_with_count(subject)
    if room is None or not can_read_room(current_user, room):
        return None, 0
    return room, count


@bp.app_template_global()
def working_rooms_for(lab):
    """The lab's working rooms the signed-in user may enter (two queries at most)."""
    if not current_user.is_authenticated:
        return []
    rooms = queries.working_rooms_of(lab)
    if not rooms or can_open_working_room(current_user, lab):
        return rooms
    member_of = set(db.session.scalars(
        sa.select(RoomMember.room_id).where(RoomMember.user_id == current_user.id,
                                            RoomMember.room_id.in_([room.id for room in rooms]))))
    return [room for room in rooms if room.id in member_of]
