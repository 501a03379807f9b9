"""Outcomes can be followed: what the follows domain reads about them (follows/kinds.py), added
from outcomes' connect(), with the follow button on the outcome's page (core/sections.py)."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased, contains_eager

from civiclab.follows.kinds import Followable, followable
from civiclab.follows.models import Follow
from civiclab.outcomes.models import Outcome
from civiclab.outcomes.permissions import can_view_outcome
from civiclab.programmes.models import Project

# The followed outcome's project, under its own name: the list joins followed projects too.
_outcome_project = aliased(Project)


def _url_values(outcome):
    return {"outcome_id": outcome.id}


def _joins(query):
    return (query.outerjoin(Follow.outcome)
            .outerjoin(_outcome_project, Outcome.project_id == _outcome_project.id)
            .options(contains_eager(Follow.outcome).contains_eager(Outcome.project.of_type(_outcome_project))))


def _visible(user, managed_city_ids):
    """Published outcomes of published projects, and every outcome of the cities one manages
    (can_view_outcome, said in SQL)."""
    return sa.or_(
        sa.and_(Outcome.published.is_(True), _outcome_project.published.is_(True)),
        _outcome_project.city_id.in_(managed_city_ids),
    )


OUTCOME = Followable(
    kind="risultato", model=Outcome, column="outcome_id", may_view=can_view_outcome,
    endpoint="outcomes.outcome", url_values=_url_values, label=_l("Risultato"), joins=_joins, visible=_visible,
)


def connect():
    from civiclab.core.sections import page_sections
    from civiclab.follows.queries import followed_by_viewer

    followable.add(OUTCOME.kind, OUTCOME)
    page_sections.add(("outcome", "follow"), followed_by_viewer)
