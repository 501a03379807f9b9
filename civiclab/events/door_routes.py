"""At the door and after: check-in, the attendance sheet, the organiser's dashboard of a lab."""
import sqlalchemy as sa
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField
from wtforms.validators import AnyOf, InputRequired, Optional

from civiclab.core.errors import DomainError
from civiclab.core.limits import write_limit
from civiclab.core.pagination import page_number
from civiclab.core.permissions import require
from civiclab.core.time import utcnow
from civiclab.events import bp, services, stats
from civiclab.events.models import Event, Registration
from civiclab.events.permissions import can_check_in, can_manage_lab_events, can_see_dashboard
from civiclab.extensions import db, limiter
from civiclab.places.models import Lab

CHECK_IN_PER_PAGE = 50


def _has_endpoint(name):
    """Whether a page exists (links to pages other parts of the app add are shown when they do)."""
    return name in current_app.view_functions


class AttendanceForm(FlaskForm):
    """One row's "Presente" / "Annulla presenza" button; carries the search to come back to."""

    attended = HiddenField(validators=[InputRequired(), AnyOf(["1", "0"])])
    q = HiddenField(validators=[Optional()])
    page = IntegerField(validators=[Optional()])


def _event_for_check_in(event_id):
    event = db.get_or_404(Event, event_id)
    require(can_check_in(current_user, event))
    return event


# ---- check-in ------------------------------------------------------------------------------

@bp.get("/eventi/<id:event_id>/accoglienza")
@login_required
def check_in(event_id):
    """The list at the door: search by name or code, mark who came, count who is here."""
    event = _event_for_check_in(event_id)
    search = request.args.get("q", "").strip()[:80]
    page = db.paginate(stats.confirmed_select(event.id, search), page=page_number(),
                       per_page=CHECK_IN_PER_PAGE, error_out=False)
    return render_template(
        "events/check_in.html", event=event, search=search, page=page,
        attendance=stats.attendance_of_event(event.id), form=AttendanceForm(),
        can_see_dashboard=can_see_dashboard(current_user, event.lab),
        has_event_page=_has_endpoint("events.event"),
    )


@bp.post("/eventi/<id:event_id>/accoglienza/<id:registration_id>")
@login_required
@limiter.limit(write_limit)
def set_attendance(event_id, registration_id):
    event = _event_for_check_in(event_id)
    registration = db.first_or_404(
        sa.select(Registration).where(Registration.id == registration_id, Registration.event_id == event.id)
    )
    form = AttendanceForm()
    if not form.validate_on_submit():
        abort(400)
    back = url_for("events.check_in", event_id=event.id, q=form.q.data or None,
                   page=form.page.data if form.page.data and form.page.data > 1 else None,
                   _anchor=f"r{registration.id}")
    attended = form.attended.data == "1"
    try:
        services.set_attended(current_user, registration, attended=attended)
    except DomainError as error:
        flash(error.message, "danger")
        return redirect(back)
    if attended:
        flash(_("%(name)s: presente.", name=registration.name), "success")
    else:
        flash(_("%(name)s: presenza annullata.", name=registration.name), "info")
    return redirect(back)


# ---- attendance sheet --------------------------------------------------------------------------

@bp.get("/eventi/<id:event_id>/presenze.csv")
@login_required
def attendance_csv(event_id):
    event = _event_for_check_in(event_id)
    filename = f"presenze-evento-{event.id}.csv"
    return Response(
        stats.attendance_csv(event.id),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            # Personal data: not kept by shared caches or the browser's back button.
            "Cache-Control": "no-store",
        },
    )


# ---- organiser dashboard -------------------------------------------------------------------

@bp.get("/gestione/laboratori/<id:lab_id>/eventi")
@login_required
def dashboard(lab_id):
    """A lab's events with bookings, waiting list and attendance by participant type."""
    lab = db.get_or_404(Lab, lab_id)
    require(can_see_dashboard(current_user, lab))
    past = request.args.get("quando") == "passati"
    now = utcnow()
    query = sa.select(Event).where(Event.lab_id == lab.id)
    if past:
        query = query.where(Event.ends_at <= now).order_by(Event.starts_at.desc(), Event.id.desc())
    else:
        query = query.where(Event.ends_at > now).order_by(Event.starts_at, Event.id)
    page = db.paginate(query, page=page_number(), per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template(
        "events/dashboard.html", lab=lab, page=page, past=past,
        attendance=stats.attendance_by_event([event.id for event in page.items]),
        totals=stats.attendance_of_lab(lab.id), participant_types=stats.PARTICIPANT_TYPES,
        can_create=can_manage_lab_events(current_user, lab) and _has_endpoint("events.event_new"),
        has_event_page=_has_endpoint("events.event"),
        has_event_edit=_has_endpoint("events.event_edit"),
    )
