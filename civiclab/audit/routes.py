"""The audit log's pages: the filtered list (administrators, and each city's staff for their
cities) and its CSV (administrators; downloading it is itself audited). Nothing edits an entry."""
from flask import Response, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civiclab.audit import bp, queries
from civiclab.audit.forms import AuditFilterForm
from civiclab.audit.labels import action_label, detail_text, subject_label, subject_url
from civiclab.audit.permissions import can_export_audit_log, can_read_audit_log
from civiclab.core.audit import audit
from civiclab.core.permissions import require
from civiclab.core.spreadsheet import csv_text
from civiclab.core.time import to_rome

FILTER_ARGS = ("azione", "persona", "citta", "oggetto", "numero", "dal", "al")


def _filter_form():
    """The filter form on the request's arguments, its choices set; (form, filters or None when
    a value is not valid: the form then carries the errors)."""
    form = AuditFilterForm(formdata=request.args)
    form.azione.choices = [("", _("Tutte le azioni"))] + [
        (action, str(action_label(action))) for action in queries.actions_present(current_user)]
    cities = queries.readable_cities(current_user)
    form.citta.choices = [("", _("Tutte le città"))] + [(str(city.id), city.name) for city in cities]
    form.oggetto.choices = [("", _("Tutti i tipi"))] + [
        (kind, str(subject_label(kind))) for kind in queries.subject_types_present(current_user)]
    if not any(request.args.get(name) for name in FILTER_ARGS):
        return form, cities, queries.AuditFilters()
    if not form.validate():
        return form, cities, None
    filters = queries.AuditFilters(
        action=form.azione.data or None, actor=(form.persona.data or "").strip() or None,
        city_id=int(form.citta.data) if form.citta.data else None,
        subject_type=form.oggetto.data or None,
        subject_id=int(form.numero.data) if (form.numero.data or "").strip() else None,
        since=form.dal.data, until=form.al.data,
    )
    return form, cities, filters


def _entries_page(form, cities, page, status=200):
    """The log's page: its filters (with their errors) and a page of entries (None: the filters
    need correcting)."""
    return render_template(
        "audit/entries.html", form=form, page=page, city_names={city.id: city.name for city in cities},
        action_label=action_label, detail_text=detail_text, subject_label=subject_label, subject_url=subject_url,
        actor_name=actor_name,
        may_export=can_export_audit_log(current_user), export_args=_filter_args(),
    ), status


def _filter_args():
    return {name: request.args[name] for name in FILTER_ARGS if request.args.get(name)}


@bp.get("/gestione/registro")
@login_required
def entries():
    require(can_read_audit_log(current_user))
    form, cities, filters = _filter_form()
    page = None
    if filters is not None:
        page = queries.entries_page(current_user, filters, current_app.config["PER_PAGE"])
    return _entries_page(form, cities, page)


@bp.get("/gestione/registro.csv")
@login_required
def export():
    require(can_export_audit_log(current_user))
    form, cities, filters = _filter_form()
    if filters is None:
        return _entries_page(form, cities, None, status=400)
    rows = queries.entries_for_export(current_user, filters)
    audit(current_user, "audit.exported", rows=len(rows), filters=_filter_args())
    city_names = {city.id: city.name for city in cities}
    header = [_("Numero"), _("Data e ora (Roma)"), _("Account"), _("Persona"), _("Azione"), _("Codice dell'azione"),
              _("Oggetto"), _("Numero dell'oggetto"), _("Città"), _("Motivo"), _("Dettagli")]
    body = [
        [entry.id, to_rome(entry.at).strftime("%Y-%m-%d %H:%M:%S"), entry.actor_id or "",
         actor_name(entry.actor), action_label(entry.action), entry.action, entry.subject_type or "",
         entry.subject_id or "", city_names.get(entry.city_id, entry.city_id or ""), entry.reason,
         " | ".join(f"{key}: {detail_text(value)}" for key, value in (entry.details or {}).items())]
        for entry in rows
    ]
    return Response(csv_text(header, body), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="registro-attivita.csv"',
        "Cache-Control": "no-store",  # the staff's record: kept by no cache
    })


def actor_name(user):
    """The actor as the log shows them: the account's current name; a deleted account's is gone."""
    if user is None:
        return _("Sistema")
    if user.deleted_at is not None:
        return _("Account eliminato")
    return user.display_name

