"""Projects take comments: what the comments domain reads about them (core/targets.py), added
from programmes' connect(). Their comments are moderated by the city's moderators."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from civiclab.core.targets import Commentable, commentable
from civiclab.extensions import db
from civiclab.programmes.models import Project
from civiclab.programmes.permissions import can_view_project


def _load(project_id):
    return db.session.get(Project, project_id)


def _city_of(project):
    return project.city_id


def _discussion_problem(project):
    if not project.published:
        return _l("Si potrà commentare quando il progetto sarà pubblicato.")
    return None


def _url_values(project):
    return {"code": project.code}


def _loads():
    return ()


def _city_ids():
    return sa.select(Project.id, Project.city_id)


PROJECT = Commentable(
    kind="project", model=Project, load=_load, may_view=can_view_project, city_of=_city_of,
    discussion_problem=_discussion_problem, endpoint="programmes.project", url_values=_url_values,
    loads=_loads, city_ids=_city_ids,
)


def connect():
    commentable.add(PROJECT.kind, PROJECT)
