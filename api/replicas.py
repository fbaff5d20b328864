"""Read replicas: reads go to a replica; writes, and a client's reads just after its write, to
the primary.

With DATABASE_REPLICA_URLS set, the settings name each replica `replica_1`, `replica_2`, ...
beside `default`, the primary, and install ReplicaRouter. Each request's database is chosen
once, before anything reads (`routed()`, around api.response_cache in config.wsgi, so that the
data version the cache keys an answer by is read where its data is read):

- the primary for a write (any method but GET, HEAD and OPTIONS), for anything outside /api/
  (the admin, the docs, the health checks), and for a read by a client that made a write that
  succeeded less than DATABASE_REPLICA_LAG_SECONDS ago: it reads what it wrote, while a replica
  may not have it yet;
- otherwise one replica, the same for every query of the request (so that what the request
  reads is one moment of that replica), in turn.

The client is its address (api.clients: the throttle's and the login lockout's), so a token
fetched or a session opened by a write is read back too. The mark is a key in Redis,
`replicas:wrote:<address>`, expiring with the window, which every process and server sees
(REDIS_URL is required with replicas). While Redis does not answer, every request goes to the
primary: a read that is slower, never one that is stale. Outside a request (management
commands, a shell) everything is the primary's.
"""

import contextlib
import contextvars
import itertools
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

from api.clients import client_address

READS = {"GET", "HEAD", "OPTIONS"}
KEY = "replicas:wrote:"
_alias = contextvars.ContextVar("api.replicas.alias", default=DEFAULT_DB_ALIAS)


def reading() -> str:
    """The alias of the database the request in progress reads (outside one, the primary's)."""
    return _alias.get()


@contextlib.contextmanager
def reading_from(alias: str):
    """Read from `alias` meanwhile: for an answer streamed after its request's routing ended."""
    token = _alias.set(alias)
    try:
        yield
    finally:
        _alias.reset(token)


class ReplicaRouter:
    """Reads where the request in progress reads, writes and migrations on the primary."""

    def db_for_read(self, model, **hints):
        return reading()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # every database holds the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class Writers:
    """The clients that wrote within the window, in the Redis the throttle counts in (through
    its client: each call bounded by api.throttling.RedisCounter.TIMEOUT_SECONDS)."""

    # While Redis does not answer, it is left alone this long, and every request goes to the
    # primary.
    RETRY_SECONDS = 5

    def __init__(self, window: int):
        from api.throttling import counter

        redis = counter()
        self.client, self.errors = redis.client, redis.errors
        self.window = window
        self.down_until = 0.0

    def wrote(self, client: str) -> None:
        try:
            self.client.set(KEY + client, 1, ex=self.window)
        except self.errors:
            # Nobody will know this client wrote: this process, at least, reads from the
            # primary for as long as it would have.
            self.down_until = time.monotonic() + max(self.window, self.RETRY_SECONDS)

    def recent(self, client: str) -> bool:
        """Whether the client wrote within the window (or it cannot be known)."""
        if time.monotonic() < self.down_until:
            return True
        try:
            return bool(self.client.exists(KEY + client))
        except self.errors:
            self.down_until = time.monotonic() + self.RETRY_SECONDS
            return True


class Routing:
    """WSGI middleware: every query of a request goes to the database chosen for it."""

    def __init__(self, application, replicas: list[str]):
        self.application = application
        self.replicas = itertools.cycle(replicas)
        self.writers = Writers(settings.DATABASE_REPLICA_LAG_SECONDS)

    def __call__(self, environ, start_response):
        write = environ["REQUEST_METHOD"] not in READS
        client = client_address(environ)
        if write or not environ.get("PATH_INFO", "").startswith("/api/") or self.writers.recent(client):
            alias = DEFAULT_DB_ALIAS
        else:
            alias = next(self.replicas)
        statuses = []

        def capture(status, headers, exc_info=None):
            statuses.append(status)
            return start_response(status, headers, exc_info)

        token = _alias.set(alias)
        try:
            result = self.application(environ, capture)
        finally:
            _alias.reset(token)
        # Marked before the answer goes out, so the client's next request finds the mark. A
        # refused write changed nothing, and needs none.
        if write and statuses and int(statuses[-1][:3]) < 400:
            self.writers.wrote(client)
        return result

    def __getattr__(self, name):
        return getattr(self.application, name)  # the cache's `answers`, for the tests


def routed(application):
    """`application` with every request routed to its database, if there are replicas."""
    replicas = [alias for alias in settings.DATABASES if alias != DEFAULT_DB_ALIAS]
    return Routing(application, replicas) if replicas else application
