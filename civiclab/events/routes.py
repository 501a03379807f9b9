"""Event pages: the public list and event page; creating, editing, publishing, cancelling."""
from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from civiclab.core.form_keys import same_content_is_a_repeat
from civiclab.core.forms import filter_id
from civiclab.core.kit import ButtonForm, attempt, limit_writes, page
from civiclab.core.page_cache import public_page
from civiclab.core.pagination import page_number
from civiclab.core.permissions import require
from civiclab.events import bp, queries, services
from civiclab.events.event_page import event_page
from civiclab.events.forms import CancelEventForm, EventFilterForm, EventForm
from civiclab.events.permissions import can_manage_lab_events
from civiclab.events.queries import load_event
from civiclab.extensions import db
from civiclab.places.models import Lab

# ---- public pages --------------------------------------------------------------------------

@bp.get("/eventi")
@public_page
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
    found = db.paginate(queries.events_select(filters), page=page_number(),
                        per_page=current_app.config["PER_PAGE"])
    filter_args = {name: value for name, value in request.args.items()
                   if name in form and value and name != "page"}
    return page("events/list.html", status=422 if form.errors else 200, page=found, form=form, past=past,
                filter_args=filter_args, filtered=bool(filter_args))


@bp.get("/eventi/<id:event_id>")
@public_page
def event(event_id):
    return event_page(load_event(event_id))


# ---- management ----------------------------------------------------------------------------

def _form_with_labs(form):
    form.lab_id.choices = [SelectChoice(lab.id, f"{lab.name} ({lab.city.name})")
                           for lab in queries.manageable_labs(current_user)]
    return form


@bp.route("/gestione/laboratori/<id:lab_id>/eventi/nuovo", methods=["GET", "POST"])
@login_required
@limit_writes()
@same_content_is_a_repeat  # Back and "Invia" again: the first result, not a copy
def event_new(lab_id):
    lab = db.get_or_404(Lab, lab_id)
    require(can_manage_lab_events(current_user, lab))
    form = _form_with_labs(EventForm(data={"lab_id": lab.id}))
    if form.validate_on_submit():
        chosen = db.session.get(Lab, form.lab_id.data)
        created = attempt(services.create_event, current_user, chosen, form.to_values(), form.audience_types(),
                          form=form)
        if created:
            flash(_("Evento «%(title)s» salvato come bozza: pubblicalo quando è pronto.",
                    title=created.value.title), "success")
            return redirect(url_for("events.event", event_id=created.value.id))
    return page("events/event_form.html", form=form, lab=lab, event=None,
                action_url=url_for("events.event_new", lab_id=lab.id))


@bp.route("/eventi/<id:event_id>/modifica", methods=["GET", "POST"])
@login_required
@limit_writes()
def event_edit(event_id):
    event = load_event(event_id, for_="manage")
    if not event.is_editable:
        flash(_("Un evento annullato o concluso non si modifica più."), "warning")
        return redirect(url_for("events.event", event_id=event.id))
    form = _form_with_labs(EventForm(data=EventForm.data_from(event)))
    if form.validate_on_submit() and attempt(services.update_event, current_user, event, form.to_values(),
                                             form.audience_types(), form=form):
        flash(_("Evento aggiornato."), "success")
        return redirect(url_for("events.event", event_id=event.id))
    return page("events/event_form.html", form=form, lab=event.lab, event=event,
                action_url=url_for("events.event_edit", event_id=event.id))


@bp.post("/eventi/<id:event_id>/pubblica")
@login_required
@limit_writes()
def event_publish(event_id):
    event = load_event(event_id, for_="manage")
    if not ButtonForm().validate_on_submit():
        abort(400)
    if not attempt(services.publish_event, current_user, event):
        return event_page(event)
    flash(_("Evento pubblicato: ora è visibile a tutti."), "success")
    return redirect(url_for("events.event", event_id=event.id))


@bp.route("/eventi/<id:event_id>/annulla", methods=["GET", "POST"])
@login_required
@limit_writes()
def event_cancel(event_id):
    event = load_event(event_id, for_="manage")
    if not event.is_editable:
        flash(_("Questo evento è già annullato o concluso."), "warning")
        return redirect(url_for("events.event", event_id=event.id))
    form = CancelEventForm()
    if form.validate_on_submit() and attempt(services.cancel_event, current_user, event, form.reason.data,
                                             form=form):
        flash(_("Evento annullato. Gli iscritti ricevono un avviso con il motivo."), "success")
        return redirect(url_for("events.event", event_id=event.id))
    registrations = services.active_registrations(event)
    return page("events/cancel.html", form=form, event=event, registrants=len(registrations),
                seats=sum(r.seats for r in registrations))
