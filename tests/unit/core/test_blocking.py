"""CPU-heavy work runs in gevent's threadpool when gevent runs the process, as a plain call elsewhere."""
import threading

from civiclab.core import blocking


def where_it_ran(value):
    return threading.get_ident(), value * 2


def test_without_gevent_the_work_is_a_plain_call():
    assert blocking.run_off_event_loop(where_it_ran, 21) == (threading.get_ident(), 42)


def test_under_gevent_the_work_runs_in_another_os_thread_and_its_errors_come_back(monkeypatch):
    gevent = __import__("gevent")
    monkeypatch.setattr(blocking, "_gevent_patched", lambda: True)
    try:
        thread, value = blocking.run_off_event_loop(where_it_ran, value=21)
        assert value == 42 and thread != threading.get_ident()
        try:
            blocking.run_off_event_loop(int, "not a number")
        except ValueError:
            pass
        else:
            raise AssertionError("the error stayed in the pool")
    finally:
        gevent.get_hub().threadpool.kill()


def test_gevent_counts_as_running_only_once_it_patched_threading():
    assert blocking._gevent_patched() is False
