"""Migration 0007_moderation_city fills the city of existing log entries and blocks from the
relationships that still exist (on a database of its own, migrated down and up again)."""
import os
import tempfile
from contextlib import contextmanager

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from tests.conftest import make_app, temporary_postgres_database

REVISION = "0007_moderation_city"


@contextmanager
def database_of_its_own():
    """A new database of the suite's kind (SQLite file, or PostgreSQL with CIVICLAB_TEST_DB=postgres)."""
    if os.environ.get("CIVICLAB_TEST_DB") == "postgres":
        with temporary_postgres_database() as url:
            yield url
        return
    handle, path = tempfile.mkstemp(suffix=".db", prefix="civiclab-migration-")
    os.close(handle)
    try:
        yield f"sqlite:///{path}"
    finally:
        os.unlink(path)


def test_the_migration_backfills_the_city_of_entries_and_blocks():
    from civiclab.accounts.blocks import UserBlock
    from civiclab.accounts.models import User
    from civiclab.comments.models import Comment
    from civiclab.core.time import utcnow
    from civiclab.extensions import db, migrate
    from civiclab.moderation.models import ModerationAction
    from civiclab.places.models import City, Lab, LabFacilitator
    from civiclab.programmes.models import Action, Axis, Programme, Project

    with database_of_its_own() as url:
        app = make_app(url)
        with app.app_context():
            def person(name, **fields):
                return User(email=f"{name}@example.org", display_name=name, privacy_consent_at=utcnow(), **fields)

            city = City(name="Bologna", slug="bologna", region="Emilia-Romagna")
            lab = Lab(city=city, name="Urban Center", slug="urban-center")
            facilitator, author, admin = person("fabio"), person("tina"), person("ada", is_admin=True)
            action = Action(axis=Axis(programme=Programme(code="P", slug="p", name="P", period="2014-2020"),
                                      number=1, name="A"), code="1.1.1", name="Azione")
            project = Project(city=city, action=action, code="BO1", title="Progetto", rup="R",
                              implementing_body="Comune", programmato_cents=0, ammesso_cents=0,
                              vincolante_cents=0, erogato_cents=0)
            comment = Comment(project=project, author=author, body="x", body_html="<p>x</p>")
            db.session.add_all([LabFacilitator(user=facilitator, lab=lab), comment, admin])
            db.session.flush()
            db.session.add_all([
                ModerationAction(actor_id=facilitator.id, action="hide_comment", comment_id=comment.id, reason="c"),
                ModerationAction(actor_id=facilitator.id, action="block_user", user_id=author.id, reason="b"),
                ModerationAction(actor_id=admin.id, action="block_user", user_id=author.id, reason="a"),
                ModerationAction(action="auto_hide", reason="gone"),  # its content is gone
                UserBlock(user_id=author.id, blocked_by_id=facilitator.id, reason="b"),
                UserBlock(user_id=author.id, blocked_by_id=admin.id, reason="a"),
            ])
            db.session.commit()
            db.session.execute(sa.update(ModerationAction).values(city_id=None))
            db.session.execute(sa.update(UserBlock).values(city_id=None))
            db.session.commit()
            city_id = city.id
            db.session.remove()

            before = ScriptDirectory.from_config(migrate.get_config()).get_revision(REVISION).down_revision
            downgrade(revision=before)
            upgrade(revision=REVISION)

            entries = dict(db.session.execute(sa.text("SELECT reason, city_id FROM moderation_actions")).all())
            blocks = dict(db.session.execute(sa.text("SELECT reason, city_id FROM user_blocks")).all())
            assert entries == {"c": city_id, "b": city_id, "a": None, "gone": None}
            assert blocks == {"b": city_id, "a": None}
            db.session.remove()
            upgrade()
            db.engine.dispose()
