"""Event pages: the public list and event page; creating, editing, publishing, cancelling."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from civiclab.core.errors import DomainError, NotAllowed
from civiclab.core.form_keys import same_content_is_a_repeat
from civiclab.core.forms import filter_id, show_domain_error
from civiclab.core.limits import write_limit
from civiclab.core.pagination import page_number
from civiclab.core.permissions import require
from civiclab.events import bp, personal_data, queries, services  # noqa: F401  (personal_data: export and deletion rules)
from civiclab.events.forms import CancelEventForm, EventActionForm, EventFilterForm, EventForm
from civiclab.events.models import EventState
from civiclab.events.permissions import (
    can_manage_event,
    can_manage_lab_events,
    can_see_online_link,
    can_view_event,
)
from civiclab.extensions import db, limiter
from civiclab.places.models import Lab

# States in which an event can still be changed or cancelled.
OPEN_STATES = (EventState.DRAFT, EventState.PUBLISHED)


# ---- public pages --------------------------------------------------------------------------

@bp.get("/eventi")
def events():
    form = EventFilterForm(formdata=request.args)
    cities, labs = queries.filter_choices()
    form.citta.choices = [SelectChoice("", _("Tutte le città"))] + [SelectChoice(c.slug, c.name) for c in cities]
    form.laboratorio.choices = [SelectChoice("", _("Tutti i laboratori"))] + [
        SelectChoice(str(lab.id), lab.name, optgroup=lab.city_name) for lab in labs]
    form.validate()
    past = request.args.get("quando") == "passati"
    filters = queries.EventFilters(
        past=past,
        city_id=next((c.id for c in cities if c.slug == form.citta.data), None),
        lab_id=filter_id(form.laboratorio.data),
        date_from=None if form.dal.errors else form.dal.data,
        date_to=None if form.al.errors else form.al.data,
        audience=form.participant_type(),
        text="" if form.q.errors else (form.q.data or ""),
    )
    page = db.paginate(queries.events_select(filters), page=page_number(),
                       per_page=current_app.config["PER_PAGE"])
    filter_args = {name: value for name, value in request.args.items()
                   if name in form and value and name != "page"}
    status = 422 if form.errors else 200
    return render_template("events/list.html", page=page, form=form, past=past,
                           filter_args=filter_args, filtered=bool(filter_args)), status


def _load_event(event_id):
    event = db.first_or_404(queries.event_select(event_id))
    if not can_view_event(current_user, event):
        abort(404)  # a draft does not exist for whoever does not run it
    return event


def _event_page(event, status=200):
    registration = services.active_registration_of(current_user, event)
    can_manage = can_manage_event(current_user, event)
    return render_template(
        "events/event.html", event=event, registration=registration, can_manage=can_manage,
        can_see_link=can_see_online_link(current_user, event, registration),
        registration_problem=event.registration_problem(),
        action_form=EventActionForm() if can_manage else None,
        open_states=OPEN_STATES,
    ), status


@bp.get("/eventi/<id:event_id>")
def event(event_id):
    return _event_page(_load_event(event_id))


# ---- management ----------------------------------------------------------------------------

def _form_with_labs(form):
    form.lab_id.choices = [SelectChoice(lab.id, f"{lab.name} ({lab.city.name})")
                           for lab in queries.manageable_labs(current_user)]
    return form


def _managed_event(event_id):
    event = db.first_or_404(queries.event_select(event_id))
    require(can_manage_event(current_user, event))
    return event


@bp.route("/gestione/laboratori/<id:lab_id>/eventi/nuovo", methods=["GET", "POST"])
@login_required
@limiter.limit(write_limit, methods=["POST"])
@same_content_is_a_repeat  # Back and "Invia" again: the first result, not a copy
def event_new(lab_id):
    lab = db.get_or_404(Lab, lab_id)
    require(can_manage_lab_events(current_user, lab))
    form = _form_with_labs(EventForm(data={"lab_id": lab.id}))
    if form.validate_on_submit():
        chosen = db.session.get(Lab, form.lab_id.data)
        try:
            event = services.create_event(current_user, chosen, form.to_values(), form.audience_types())
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("Evento «%(title)s» salvato come bozza: pubblicalo quando è pronto.",
                    title=event.title), "success")
            return redirect(url_for("events.event", event_id=event.id))
    status = 422 if request.method == "POST" else 200
    return render_template("events/event_form.html", form=form, lab=lab, event=None,
                           action_url=url_for("events.event_new", lab_id=lab.id)), status


@bp.route("/eventi/<id:event_id>/modifica", methods=["GET", "POST"])
@login_required
@limiter.limit(write_limit, methods=["POST"])
def event_edit(event_id):
    event = _managed_event(event_id)
    if event.state not in OPEN_STATES:
        flash(_("Un evento annullato o concluso non si modifica più."), "warning")
        return redirect(url_for("events.event", event_id=event.id))
    form = _form_with_labs(EventForm(data=EventForm.data_from(event)))
    if form.validate_on_submit():
        try:
            services.update_event(current_user, event, form.to_values(), form.audience_types())
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("Evento aggiornato."), "success")
            return redirect(url_for("events.event", event_id=event.id))
    status = 422 if request.method == "POST" else 200
    return render_template("events/event_form.html", form=form, lab=event.lab, event=event,
                           action_url=url_for("events.event_edit", event_id=event.id)), status


@bp.post("/eventi/<id:event_id>/pubblica")
@login_required
@limiter.limit(write_limit)
def event_publish(event_id):
    event = _managed_event(event_id)
    form = EventActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.publish_event(current_user, event)
    except NotAllowed:
        raise
    except DomainError as error:
        flash(error.message, "danger")
        return _event_page(event, status=422)
    flash(_("Evento pubblicato: ora è visibile a tutti."), "success")
    return redirect(url_for("events.event", event_id=event.id))


@bp.route("/eventi/<id:event_id>/annulla", methods=["GET", "POST"])
@login_required
@limiter.limit(write_limit, methods=["POST"])
def event_cancel(event_id):
    event = _managed_event(event_id)
    if event.state not in OPEN_STATES:
        flash(_("Questo evento è già annullato o concluso."), "warning")
        return redirect(url_for("events.event", event_id=event.id))
    form = CancelEventForm()
    if form.validate_on_submit():
        try:
            services.cancel_event(current_user, event, form.reason.data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("Evento annullato. Gli iscritti ricevono un avviso con il motivo."), "success")
            return redirect(url_for("events.event", event_id=event.id))
    status = 422 if request.method == "POST" else 200
    registrations = services.active_registrations(event)
    return render_template("events/cancel.html", form=form, event=event,
                           registrants=len(registrations),
                           seats=sum(r.seats for r in registrations)), status
