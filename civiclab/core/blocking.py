"""CPU-heavy work (decoding and re-encoding an image) off the event loop.

Production runs one gunicorn gevent worker: every visitor's request is a greenlet on one OS thread,
so a second of CPU inside one request freezes every page and socket of the process. Under gevent's
monkey-patching such work goes to gevent's threadpool, a real OS thread: Pillow and zlib release
the GIL while they work, and the hub keeps serving the others. Elsewhere (flask run, the tests,
a threaded server) it is a plain call.
"""
import sys


def _gevent_patched():
    monkey = sys.modules.get("gevent.monkey")  # never imports gevent where nobody did
    return monkey is not None and monkey.is_module_patched("threading")


def run_off_event_loop(function, *args, **kwargs):
    """`function(*args, **kwargs)`, in gevent's threadpool when gevent runs the process.

    The function runs without the request's contexts (no current_app, no gettext): give it plain
    data and build messages from its result.
    """
    if not _gevent_patched():
        return function(*args, **kwargs)
    import gevent

    return gevent.get_hub().threadpool.apply(function, args, kwargs)
