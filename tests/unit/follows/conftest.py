import pytest


@pytest.fixture
def lab_call(make_lab, make_project, make_call, make_facilitator):
    """A call of a lab on a project of the same city, in its proposals phase, and its facilitator."""
    lab = make_lab()
    project = make_project(city=lab.city)
    call = make_call(project=project, lab=lab)
    return call, make_facilitator(lab)
