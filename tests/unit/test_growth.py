"""Growth (issue 13): `flask bench-data` adds what it says with its counters right, keyset cursors
take nothing but ours, list pages cost the same statements however deep, and migration
0014_growth goes down and up again."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from civiclab.benchdata import generate
from civiclab.comments.models import Comment
from civiclab.core.pagination import CURSOR_ARG, Key, decode_cursor, encode_cursor
from civiclab.core.time import utcnow
from civiclab.extensions import db
from civiclab.proposals import queries
from civiclab.proposals.models import PUBLIC_STATES, Call, Proposal, Support
from tests.conftest import make_app
from tests.unit.moderation.test_city_migration import database_of_its_own
from tests.unit.proposals.test_call_pages import link, titles_in


def quiet(_line):
    pass


@pytest.fixture
def call_with_proposals(make_call, make_proposal):
    call = make_call()
    for n in range(4):
        make_proposal(call=call, title=f"Proposta demo {n}", published_at=utcnow() - timedelta(days=5 - n))
    return call


def count(model, *where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


# ---- bench-data --------------------------------------------------------------------------------

def test_bench_data_adds_what_it_says_with_counters_that_match_the_rows(call_with_proposals, db_session):
    call = call_with_proposals
    busy = db.session.scalars(sa.select(Proposal).where(Proposal.call_id == call.id).order_by(Proposal.id)).all()[3]
    proposals_before, comments_before = count(Proposal), count(Comment)

    summary = generate(proposals=60, comments=900, comments_on_one=150, supports=200, users=40,
                       call_id=call.id, echo=quiet)
    db_session.commit()

    assert summary["proposte"] == 60 and summary["commenti"] == 900 and summary["sostegni"] == 200
    assert summary["proposta con più commenti"] == busy.id
    assert count(Proposal) == proposals_before + 60
    assert count(Comment) == comments_before + 900
    assert count(Comment, Comment.proposal_id == busy.id) == 150
    assert db.session.get(Call, call.id).public_proposals_count == count(
        Proposal, Proposal.call_id == call.id, Proposal.state.in_(PUBLIC_STATES), Proposal.hidden_at.is_(None)) == 64
    supports = dict(db.session.execute(sa.select(Support.proposal_id, sa.func.count()).group_by(Support.proposal_id)).all())
    comments = dict(db.session.execute(sa.select(Comment.proposal_id, sa.func.count()).group_by(Comment.proposal_id)).all())
    for proposal in db.session.scalars(sa.select(Proposal).where(Proposal.call_id == call.id)):
        assert proposal.supports_count == supports.get(proposal.id, 0)
        assert proposal.comments_count == comments.get(proposal.id, 0)
    # Every reply answers a comment on the same proposal, in the same thread, one level down.
    parent = sa.orm.aliased(Comment)
    wrong = db.session.scalar(sa.select(sa.func.count()).select_from(Comment).join(parent, Comment.parent_id == parent.id)
                              .where(sa.or_(parent.proposal_id != Comment.proposal_id,
                                            Comment.depth != parent.depth + 1,
                                            Comment.root_id != sa.func.coalesce(parent.root_id, parent.id))))
    assert wrong == 0


def test_bench_data_with_the_same_seed_makes_the_same_rows(app, call_with_proposals, db_session):
    def titles(seed):
        generate(proposals=5, comments=0, users=3, call_id=call_with_proposals.id, seed=seed, echo=quiet)
        rows = db.session.scalars(sa.select(Proposal.title).order_by(Proposal.id.desc()).limit(5)).all()
        return rows

    assert titles(7) == titles(7)
    assert titles(7) != titles(8)


def test_bench_data_refuses_a_production_app_unless_forced(app, monkeypatch, call_with_proposals, db_session):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    result = app.test_cli_runner().invoke(args=["bench-data", "--proposals", "3"])
    assert result.exit_code == 1
    assert "produzione" in result.output and "--force" in result.output
    before = count(Proposal)
    generate(proposals=3, call_id=call_with_proposals.id, force=True, echo=quiet)
    assert count(Proposal) == before + 3


# ---- keyset pages --------------------------------------------------------------------------------

def test_a_cursor_round_trips_and_refuses_what_it_did_not_make(app):
    keys = [Key(Proposal.published_at, True), Key(Proposal.id, True)]
    moment = utcnow().replace(microsecond=0)
    with app.test_request_context("/"):
        cursor = encode_cursor("call-1", "recenti", keys, [moment, 2**31 + 7])
        assert decode_cursor("call-1", "recenti", keys, cursor) == ([moment, 2**31 + 7], False)
        assert decode_cursor("call-2", "recenti", keys, cursor) is None  # another list
        assert decode_cursor("call-1", "sostegni", keys, cursor) is None  # another order
        assert decode_cursor("call-1", "recenti", keys, cursor[:-2] + "xx") is None  # forged
        assert decode_cursor("call-1", "recenti", keys, encode_cursor("call-1", "recenti", keys[1:], [5])) is None
        too_big = encode_cursor("call-1", "recenti", [Key(Proposal.id), Key(Proposal.id)], [2**70, 1])
        assert decode_cursor("call-1", "recenti", [Key(Proposal.id), Key(Proposal.id)], too_big) is None


@pytest.mark.parametrize("edge_id", [2**31 + 5, 2**40, -1, 0])
def test_a_cursor_with_any_id_shows_a_page_never_an_error(app, client, make_call, make_proposal, monkeypatch, edge_id):
    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    call = make_call()
    for n in range(3):
        make_proposal(call=call, title=f"Proposta {n}")
    filters = queries.ProposalFilters()
    with app.test_request_context("/"):
        cursor = encode_cursor(f"call-{call.id}", queries._order_name(filters), queries.order_keys(filters),
                               [utcnow() + timedelta(days=1), edge_id])
    response = client.get(f"/call/{call.id}?{CURSOR_ARG}={cursor}")
    assert response.status_code == 200
    assert len(titles_in(response)) == 2  # the newest ones: everything is before tomorrow


def test_a_deep_page_of_a_call_costs_the_statements_of_its_first(app, client, make_call, make_proposal, monkeypatch,
                                                               count_queries):
    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    call = make_call()
    for n in range(9):
        make_proposal(call=call, title=f"Proposta {n}")
    url = f"/call/{call.id}"
    client.get(url)
    with count_queries() as first:
        response = client.get(url)
    for _ in range(3):
        url = link(response, "next")
        response = client.get(url)
    with count_queries() as deep:
        assert client.get(url).status_code == 200
    assert len(deep) == len(first)
    assert not any("count(" in statement.lower() for statement in deep)  # the call's counter, not a COUNT


def test_the_call_counter_follows_publication_hiding_and_withdrawal(make_call, make_proposal, db_session):
    from civiclab.proposals.models import ProposalState

    call = make_call()
    shown = make_proposal(call=call)
    make_proposal(call=call, state=ProposalState.SUBMITTED)
    assert call.public_proposals_count == 1
    shown.hidden_at = utcnow()
    db_session.commit()
    assert call.public_proposals_count == 0
    shown.hidden_at = None
    make_proposal(call=call, state=ProposalState.ADOPTED)
    db_session.commit()
    assert call.public_proposals_count == 2
    shown.state = ProposalState.WITHDRAWN
    db_session.commit()
    assert call.public_proposals_count == 1


def test_a_thread_page_costs_the_same_statements_for_a_handful_or_many_comments(client, make_proposal, make_user,
                                                                              count_queries, db_session):
    few, many = make_proposal(), make_proposal()
    author = make_user()
    for proposal, threads in ((few, 2), (many, 30)):
        for n in range(threads):
            root = Comment(proposal_id=proposal.id, author_id=author.id, body="x", body_html="<p>x</p>")
            db_session.add(root)
            db_session.flush()
            db_session.add(Comment(proposal_id=proposal.id, author_id=author.id, parent_id=root.id, root_id=root.id,
                                   depth=1, body="y", body_html="<p>y</p>"))
    db_session.commit()
    measured = []
    for proposal in (few, many):
        client.get(f"/proposte/{proposal.id}")
        with count_queries() as statements:
            assert client.get(f"/proposte/{proposal.id}").status_code == 200
        measured.append(len(statements))
    assert measured[0] == measured[1]


# ---- migration 0014_growth -----------------------------------------------------------------------

def test_migration_0014_goes_down_and_up_again_and_backfills_the_call_counter():
    from civiclab.demo import seed_demo
    from civiclab.extensions import migrate
    from civiclab.proposals.fulltext import matching_proposal_ids

    with database_of_its_own() as url:
        app = make_app(url)
        with app.app_context():
            with app.test_request_context("/"):
                seed_demo()
                db.session.commit()
            expected = dict(db.session.execute(sa.select(Call.id, Call.public_proposals_count)).all())
            assert sum(expected.values()) > 0
            db.session.remove()

            before = ScriptDirectory.from_config(migrate.get_config()).get_revision("0014_growth").down_revision
            downgrade(revision=before)
            inspector = sa.inspect(db.engine)
            assert "public_proposals_count" not in {column["name"] for column in inspector.get_columns("calls")}
            assert "ix_proposals_call_published" not in {index["name"] for index in inspector.get_indexes("proposals")}

            upgrade(revision="0014_growth")
            inspector = sa.inspect(db.engine)
            assert {"ix_comments_root_created", "ix_comments_proposal_thread"} <= {
                index["name"] for index in inspector.get_indexes("comments")}
            assert dict(db.session.execute(sa.text("SELECT id, public_proposals_count FROM calls")).all()) == expected
            found = db.session.execute(matching_proposal_ids("doposcuola")).all()
            assert found  # the full-text search reads what the migration left
            db.session.remove()
            upgrade()
            db.engine.dispose()
