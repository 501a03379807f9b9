"""Whether a test's outside service (PostgreSQL, Redis, chromium) is there: skip, or fail in CI.

Tests marked postgres, redis or browser skip when their service is missing, so a developer
without it can still run the suite; with CIVICLAB_REQUIRE_SERVICES=1 (scripts/test and CI) a
missing service fails the test instead, so nothing passes by being skipped.
"""
import os
import socket

import pytest


def services_required():
    return os.environ.get("CIVICLAB_REQUIRE_SERVICES") == "1"


def unavailable(reason):
    """Skip the test, or fail it when services are required."""
    if services_required():
        pytest.fail(f"{reason} (CIVICLAB_REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(reason)


def port_open(host, port, timeout=1.0):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False
