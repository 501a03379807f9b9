"""A page of threads costs the same number of queries whatever the number of comments."""
import sqlalchemy as sa

from civiclab.accounts.models import User
from civiclab.comments.models import Comment, CommentVote
from civiclab.comments.queries import load_thread
from civiclab.programmes.models import Project
from tests.conftest import login


def add_comments(db_session, authors, voter, count, **subject):
    """`count` comments: threads of five (a root and replies four levels deep), some voted."""
    made = 0
    while made < count:
        root = Comment(author=authors[made % len(authors)], body="Radice", body_html="<p>Radice</p>", **subject)
        db_session.add(root)
        db_session.flush()
        parent, made = root, made + 1
        for depth in range(1, 5):
            if made >= count:
                break
            parent = Comment(author=authors[made % len(authors)], parent_id=parent.id, root_id=root.id,
                             depth=depth, body="Risposta", body_html="<p>Risposta</p>", **subject)
            db_session.add(parent)
            db_session.flush()
            made += 1
        db_session.add(CommentVote(comment_id=parent.id, user_id=voter.id, value=1))
    db_session.commit()


def queries_for_page(client, count_queries, url):
    client.get(url)  # warm-up: the signed-in user, the session
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


def test_a_proposal_with_500_comments_costs_what_one_with_5_costs(client, db_session, count_queries, make_user,
                                                                  make_proposal, proposal):
    authors = [make_user() for _ in range(7)]
    viewer = make_user()
    other = make_proposal(call=proposal.call)
    add_comments(db_session, authors, viewer, 5, proposal_id=proposal.id)
    add_comments(db_session, authors, viewer, 500, proposal_id=other.id)
    login(client, viewer)

    small = queries_for_page(client, count_queries, f"/proposte/{proposal.id}")
    large = queries_for_page(client, count_queries, f"/proposte/{other.id}")

    assert large == small


def test_a_project_with_500_comments_costs_what_one_with_5_costs(client, db_session, count_queries, make_user,
                                                                 make_project, project):
    authors = [make_user() for _ in range(7)]
    viewer = make_user()
    other = make_project(city=project.city)
    add_comments(db_session, authors, viewer, 5, project_id=project.id)
    add_comments(db_session, authors, viewer, 500, project_id=other.id)
    login(client, viewer)

    assert queries_for_page(client, count_queries, f"/progetti/{project.code}") == queries_for_page(
        client, count_queries, f"/progetti/{other.code}")


def test_load_thread_needs_six_queries_for_a_page_of_threads(app, db_session, count_queries, make_user, project):
    authors = [make_user() for _ in range(7)]
    viewer = make_user()
    add_comments(db_session, authors, viewer, 500, project_id=project.id)
    ids = viewer.id, project.id
    db_session.expunge_all()
    viewer, project = db_session.get(User, ids[0]), db_session.get(Project, ids[1])

    with app.test_request_context(), count_queries() as statements:
        thread = load_thread(viewer, project=project, sort="best", page=2)
        shown = sum(1 for root in thread.roots for _ in walk(root))

    assert len(statements) <= 6, statements  # five, and the authors' roles for their badges
    assert (thread.page, thread.pages, len(thread.roots), shown) == (2, 5, 20, 100)
    assert thread.visible_total == 500
    assert db_session.scalar(sa.select(sa.func.count(Comment.id))) == 500


def walk(node):
    yield node
    for child in node.children:
        yield from walk(child)
