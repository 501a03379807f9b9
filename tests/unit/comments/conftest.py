import pytest

from civiclab.comments import services


@pytest.fixture
def project(make_project, lab):
    return make_project(city=lab.city)


@pytest.fixture
def proposal(make_call, make_proposal, project, lab):
    """An accepted proposal of a call of `lab`, in the proposals phase (comments are open)."""
    return make_proposal(call=make_call(project=project, lab=lab, phase="proposals"))


@pytest.fixture
def say(app, db_session):
    """`say(user, "text", proposal=…)` or `say(user, "text", parent=…)`: a comment posted through
    the service, committed like a request would."""

    def post(user, body, **where):
        with app.test_request_context():
            comment = services.post_comment(user, body, **where)
            db_session.commit()
        return comment

    return post
