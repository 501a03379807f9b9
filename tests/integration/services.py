"""Whether a test's outside service (PostgreSQL, Redis, chromium) is there: skip, or fail in CI.

Tests marked postgres, redis or browser skip when their service is missing, so a developer
without it can still run the suite; with CIVICLAB_REQUIRE_SERVICES=1 (scripts/test and CI) a
missing service fails the test instead, so nothing passes by being skipped.
"""
import os
import socket
import time

import pytest


def services_required():
    return os.environ.get("CIVICLAB_REQUIRE_SERVICES") == "1"


def unavailable(reason):
    """Skip the test, or fail it when services are required."""
    if services_required():
        pytest.fail(f"{reason} (CIVICLAB_REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(reason)


def free_port():
    """A loopback TCP port nobody listens on right now, for a server a test starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, timeout=30):
    """Return once something accepts connections on 127.0.0.1:`port`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing answers on 127.0.0.1:{port} after {timeout} s")
