"""Outcomes take comments: what the comments domain reads about them (core/targets.py), added
from outcomes' connect(). Their comments are moderated by the moderators of the project's city;
the discussion opens when the outcome (and its project) is published."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from civiclab.core.targets import Commentable, commentable
from civiclab.extensions import db
from civiclab.outcomes.models import Outcome
from civiclab.outcomes.permissions import can_view_outcome
from civiclab.programmes.models import Project


def _load(outcome_id):
    return db.session.get(Outcome, outcome_id)


def _city_of(outcome):
    return outcome.project.city_id


def _discussion_problem(outcome):
    if not outcome.published or not outcome.project.published:
        return _l("Si potrà commentare quando il risultato sarà pubblicato.")
    return None


def _url_values(outcome):
    return {"outcome_id": outcome.id}


def _loads():
    return (joinedload(Outcome.project),)


def _city_ids():
    return sa.select(Outcome.id, Project.city_id).join(Project, Outcome.project_id == Project.id)


def _shows_comments(outcome):
    return outcome.published


OUTCOME = Commentable(
    kind="outcome", model=Outcome, load=_load, may_view=can_view_outcome, city_of=_city_of,
    discussion_problem=_discussion_problem, endpoint="outcomes.outcome", url_values=_url_values,
    loads=_loads, city_ids=_city_ids, shows_comments=_shows_comments, counter_table="outcomes",
)


def connect():
    """Comments attach to outcomes, and the outcome's page shows its thread (core/sections.py)."""
    from civiclab.comments.queries import comments_section
    from civiclab.core.sections import page_sections

    commentable.add(OUTCOME.kind, OUTCOME)
    page_sections.add((OUTCOME.kind, "comments"), comments_section)
