"""Route walk rows for outcomes: endpoint -> (method, url built from the world, status per role).

The world (tests/unit/test_route_permissions.py) has a published project of its city; the rows
below add to it, inside the test's savepoint, a published outcome with a milestone and a PDF
(`outcome_world`). The city's staff and administrators write outcomes; everybody reads them.
"""
from tests.unit.route_tables.common import everyone, managers

PDF = b"%PDF-1.4\n%%EOF\n"


def outcome_world(w):
    """The outcome, its milestone and its attachment, made once per test (kept in the test's
    layer of the world, so the next test starts without them)."""
    if "outcome" not in w.maps[0]:
        from civiclab.extensions import db
        from civiclab.outcomes.models import Milestone, Outcome, OutcomeAttachment
        from civiclab.outcomes.services import today
        from civiclab.proposals import attachments

        outcome = Outcome(project_id=w["project"].id, title="Giardino di via Libia", progress=40)
        db.session.add(outcome)
        db.session.flush()
        milestone = Milestone(outcome_id=outcome.id, title="Gara", planned_on=today())
        checked = attachments.CheckedUpload("delibera.pdf", "application/pdf", "pdf", PDF)
        attachment = OutcomeAttachment(outcome_id=outcome.id, filename=checked.filename,
                                       stored_name=attachments.store(checked), content_type=checked.content_type,
                                       size=checked.size)
        db.session.add_all([milestone, attachment])
        db.session.commit()
        w.maps[0].update(outcome=outcome.id, milestone=milestone.id, outcome_attachment=attachment.id)
    return w.maps[0]


def _outcome(w, tail=""):
    return f"/risultati/{outcome_world(w)['outcome']}{tail}"


def _milestone(w, tail=""):
    return _outcome(w, f"/tappe/{outcome_world(w)['milestone']}{tail}")


ROUTES = {
    # everybody reads a published outcome, its files and a city's outcomes
    "outcomes.outcome": ("GET", lambda w: _outcome(w), everyone(200)),
    "outcomes.attachment": (
        "GET", lambda w: _outcome(w, f"/allegati/{outcome_world(w)['outcome_attachment']}"), everyone(200),
    ),
    "outcomes.city_outcomes": ("GET", lambda w: f"/citta/{w['city'].slug}/risultati", everyone(200)),
    # the city's staff and administrators write them; facilitators and other cities' staff not
    "outcomes.outcome_new": ("GET", lambda w: f"/progetti/{w['project'].code}/risultati/nuovo", managers(200)),
    "outcomes.outcome_edit": ("GET", lambda w: _outcome(w, "/modifica"), managers(200)),
    "outcomes.outcome_delete": ("POST", lambda w: _outcome(w, "/elimina"), managers(302)),
    "outcomes.attachment_delete": (
        "POST", lambda w: _outcome(w, f"/allegati/{outcome_world(w)['outcome_attachment']}/elimina"), managers(302),
    ),
    "outcomes.milestone_new": ("GET", lambda w: _outcome(w, "/tappe/nuova"), managers(200)),
    "outcomes.milestone_edit": ("GET", lambda w: _milestone(w, "/modifica"), managers(200)),
    "outcomes.milestone_delete": ("POST", lambda w: _milestone(w, "/elimina"), managers(302)),
    "outcomes.milestone_reach": ("POST", lambda w: _milestone(w, "/raggiunta"), managers(302)),
    "outcomes.milestone_unreach": ("POST", lambda w: _milestone(w, "/non-raggiunta"), managers(302)),
}
