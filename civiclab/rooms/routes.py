"""Room pages: a room read without JavaScript (the last 50 messages, older ones by keyset pages),
writing by POST when the socket is not there, moderation over HTTP with its reason, working rooms
of a lab, my rooms with their unread counts, and the links and header count other pages show.

The live part (static/js/rooms.js and rooms/sockets.py) builds on this page: it reads the room's
id and the last message shown from the page's data attributes.
"""
import uuid

import sqlalchemy as sa
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civiclab.accounts.models import User
from civiclab.core.errors import DomainError
from civiclab.core.forms import MAX_ID, filter_id
from civiclab.core.limits import write_limit
from civiclab.core.permissions import require
from civiclab.extensions import db, limiter
from civiclab.places.models import Lab
from civiclab.places.roles import role_badges
from civiclab.rooms import queries, services
from civiclab.rooms.forms import MUTE_CHOICES, MessageForm, MuteForm, ReasonForm, WorkingRoomForm
from civiclab.rooms.models import Message, RoomKind, RoomMember
from civiclab.rooms.permissions import (
    can_moderate_room,
    can_open_working_room,
    can_read_room,
    write_refusal,
)

bp = Blueprint("rooms", __name__)
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
        form_error=form_error, error=error, badges=role_badges(message.author for message in messages),
    ), status


def _subject_link(room):
    """(name, address) of what the room is beside."""
    if room.event is not None:
        return room.event.title, url_for("events.event", event_id=room.event.id)
    if room.project is not None:
        return room.project.title, url_for("programmes.project", code=room.project.code)
    lab = room.lab
    return lab.name, url_for("places.lab", city_slug=lab.city.slug, lab_slug=lab.slug)


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
    return [room for room in rooms if _may_read(room, member_of)]


def _may_read(room, member_of):
    """can_read_room with the user's working-room memberships preloaded."""
    if room.kind is RoomKind.LAB_WORKING:
        return room.id in member_of or can_moderate_room(current_user, room)
    return can_read_room(current_user, room)


@bp.get("/stanze/<int:room_id>")
def room(room_id):
    return _room_page(_readable_room(room_id))


# ---- writing without JavaScript ------------------------------------------------------------

@bp.post("/stanze/<int:room_id>/messaggi")
@login_required
@limiter.limit(write_limit)
def post_message(room_id):
    room = _readable_room(room_id)
    form = MessageForm()
    if not form.validate_on_submit():
        return _room_page(room, status=422, form=form, form_error=_form_problem(form))
    try:
        message, _created = services.post_message(current_user, room, form.body.data, form.key.data or None)
    except DomainError as error:  # muted, locked, not registered, empty…: said on the form
        return _room_page(room, status=422, form=form, form_error=error.message)
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


@bp.post("/stanze/<int:room_id>/messaggi/<int:message_id>/elimina")
@login_required
@limiter.limit(write_limit)
def delete_message(room_id, message_id):
    room = _moderated_room(room_id)
    message = db.session.get(Message, message_id) if 0 < message_id < MAX_ID else None
    if message is None or message.room_id != room.id:
        abort(404)
    return _moderate(room, ReasonForm(), lambda form: services.delete_message(current_user, message, form.reason.data),
                     _("Messaggio eliminato: al suo posto resta un segnaposto."), back_to=message)


@bp.post("/stanze/<int:room_id>/silenzia/<int:user_id>")
@login_required
@limiter.limit(write_limit)
def mute(room_id, user_id):
    room = _moderated_room(room_id)
    user = db.session.get(User, user_id) if 0 < user_id < MAX_ID else None
    if user is None:
        abort(404)
    return _moderate(room, MuteForm(),
                     lambda form: services.mute_user(current_user, room, user, form.minutes.data, form.reason.data),
                     _("%(name)s è silenziato in questa stanza.", name=user.display_name))


@bp.post("/stanze/<int:room_id>/chiudi")
@login_required
@limiter.limit(write_limit)
def lock(room_id):
    room = _moderated_room(room_id)
    return _moderate(room, ReasonForm(), lambda form: services.set_locked(current_user, room, True, form.reason.data),
                     _("La stanza è ora in sola lettura."))


@bp.post("/stanze/<int:room_id>/riapri")
@login_required
@limiter.limit(write_limit)
def unlock(room_id):
    room = _moderated_room(room_id)
    return _moderate(room, ReasonForm(), lambda form: services.set_locked(current_user, room, False, form.reason.data),
                     _("La stanza è di nuovo aperta."))


# ---- working rooms of a lab ----------------------------------------------------------------

@bp.route("/gestione/laboratori/<int:lab_id>/stanze/nuova", methods=["GET", "POST"])
@login_required
@limiter.limit(write_limit, methods=["POST"])
def working_room_new(lab_id):
    if not 0 < lab_id < MAX_ID:
        abort(404)
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
    """(room, messages) beside an event, project or lab, for its page's link: one query."""
    return queries.room_with_count(subject)


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
