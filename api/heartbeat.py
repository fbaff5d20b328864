"""A worker's heartbeat during a long answer: gunicorn's arbiter kills a sync worker it has not
heard from within its timeout (30 s), and a worker streaming the dump of a large database is
busy for longer than that, in one request. gunicorn's post_fork hook (config/gunicorn.py)
gives its worker's `notify` here; api.streaming beats at every piece it sends. Outside
gunicorn (the test client, runserver) nothing listens. No imports: the hook runs before Django
is set up."""

_listener = None


def listen(notify) -> None:
    global _listener
    _listener = notify


def beat() -> None:
    if _listener is not None:
        _listener()
