"""At the door and after: check-in, the attendance sheet, the organiser's dashboard of a lab."""
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField
from wtforms.validators import AnyOf, InputRequired, Optional

from civiclab.core.kit import attempt, limit_writes
from civiclab.core.pagination import page_number
from civiclab.core.permissions import require
from civiclab.events import bp, queries, services, stats
from civiclab.events.permissions import can_manage_lab_events, can_see_dashboard
from civiclab.events.queries import load_event, load_registration
from civiclab.extensions import db
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


# ---- check-in ------------------------------------------------------------------------------

@bp.get("/eventi/<id:event_id>/accoglienza")
@login_required
def check_in(event_id):
    """The list at the door: search by name or code, mark who came, count who is here."""
    event = load_event(event_id, for_="check_in")
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
@limit_writes()
def set_attendance(event_id, registration_id):
    event = load_event(event_id, for_="check_in")
    registration = load_registration(registration_id, for_="check_in", event=event)
    form = AttendanceForm()
    if not form.validate_on_submit():
        abort(400)
    back = url_for("events.check_in", event_id=event.id, q=form.q.data or None,
                   page=form.page.data if form.page.data and form.page.data > 1 else None,
                   _anchor=f"r{registration.id}")
    attended = form.attended.data == "1"
    if not attempt(services.set_attended, current_user, registration, attended=attended):
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
    event = load_event(event_id, for_="check_in")
    filename = f"presenze-evento-{event.id}.csv"
    return Response(
        services.export_attendance(current_user, event),
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
    page = db.paginate(queries.lab_events_select(lab, past=past), page=page_number(),
                       per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template(
        "events/dashboard.html", lab=lab, page=page, past=past,
        attendance=stats.attendance_by_event([event.id for event in page.items]),
        totals=stats.attendance_of_lab(lab.id), participant_types=stats.PARTICIPANT_TYPES,
        can_create=can_manage_lab_events(current_user, lab) and _has_endpoint("events.event_new"),
        has_event_page=_has_endpoint("events.event"),
        has_event_edit=_has_endpoint("events.event_edit"),
    )
