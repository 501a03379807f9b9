import pytest

from civiclab.extensions import socketio
from civiclab.rooms import queries
from tests.conftest import login

NS = "/rooms"


@pytest.fixture(autouse=True)
def fresh_socket_state(app):
    """Rate-limit counters and presence belong to one test (SQLite gives ids out again)."""
    app.extensions["civiclab_rooms_limiter"].storage.reset()
    app.extensions["civiclab_rooms_presence"].clear()
    yield
    app.extensions["civiclab_rooms_presence"].clear()


@pytest.fixture
def connect(app, db_session):
    """connect(user) -> a Socket.IO test client on /rooms, signed in as `user` (None: anonymous)."""
    clients = []

    def factory(user=None):
        http = app.test_client()
        if user is not None:
            login(http, user)
        client = socketio.test_client(app, namespace=NS, flask_test_client=http)
        clients.append(client)
        return client

    yield factory
    for client in clients:
        if client.is_connected(NS):
            client.disconnect(namespace=NS)


@pytest.fixture
def fresh(db_session):
    """`fresh(Model, id)`: the row loaded again (a socket handler detaches what a test holds)."""

    def load(model, id_):
        return db_session.get(model, id_)

    return load


@pytest.fixture
def lab_room(make_lab):
    """A lab's public room (confirmed accounts write): its id and its lab."""
    lab = make_lab()
    return queries.room_of(lab).id, lab
