import pytest


@pytest.fixture
def call(make_call, make_project, lab):
    return make_call(project=make_project(city=lab.city), lab=lab, title="Idee per i cortili")


@pytest.fixture
def outsider(make_facilitator, make_lab):
    """The facilitator of a lab in another city: moderates nothing of `call`."""
    return make_facilitator(make_lab(), display_name="Olga Altrove")


@pytest.fixture
def make_participant(db_session, make_user, make_project):
    """An ordinary participant who commented on a project of `city`: active there, so its
    moderators may block them."""
    from civiclab.comments.models import Comment

    projects = {}

    def factory(city, **user_fields):
        user = make_user(**user_fields)
        if city.id not in projects:
            projects[city.id] = make_project(city=city)
        db_session.add(Comment(project=projects[city.id], author=user, body="Ciao", body_html="<p>Ciao</p>"))
        db_session.commit()
        return user

    return factory
