"""Rate limits, counted without touching the database.

A client is its account when it signs in with valid credentials, else its address
(api.clients). Every request counts, including those refused before DRF's throttles run
(bad credentials, an anonymous write, no permission: see counted()).

Each client has a fixed window (the rate's period) and a counter in it. With REDIS_URL set
the counter is in Redis, where one round trip (INCR, EXPIRE NX, TTL in a MULTI) counts the
request and reads what is left, atomically, for every process and server sharing that Redis.
Without it (or while Redis does not answer, said once in the log per outage) the counter is in
this process's memory: each server process then counts on its own, so N processes let a client
make up to N times the limit. A read never writes to the database.
"""

import contextlib
import logging
import threading
import time

from django.conf import settings
from rest_framework import exceptions, throttling

from api.clients import client_address

logger = logging.getLogger("api.throttling")


class MemoryCounter:
    """Fixed-window counters in this process, for when there is no Redis."""

    def __init__(self):
        self.windows = {}
        self.lock = threading.Lock()

    def hit(self, key: str, duration: int) -> tuple[int, int]:
        """Count one request; the count in the window so far and the seconds left in it."""
        now = time.monotonic()
        with self.lock:
            ends, count = self.windows.get(key, (0.0, 0))
            if ends <= now:
                ends, count = now + duration, 0
                if len(self.windows) > 100_000:
                    self.windows = {k: v for k, v in self.windows.items() if v[0] > now}
            self.windows[key] = (ends, count + 1)
        return count + 1, max(int(ends - now + 0.999), 0)

    def clear(self):
        with self.lock:
            self.windows.clear()


class RedisCounter:
    """Fixed-window counters in Redis, shared by every process that uses the same server."""

    # A Redis that hangs costs a request this long at most before the memory counter answers;
    # then the memory counter answers alone for RETRY_SECONDS before Redis is asked again.
    TIMEOUT_SECONDS = 0.25
    RETRY_SECONDS = 5

    def __init__(self, url: str, fallback: MemoryCounter):
        import redis

        self.client = redis.Redis.from_url(
            url, socket_timeout=self.TIMEOUT_SECONDS, socket_connect_timeout=self.TIMEOUT_SECONDS
        )
        self.errors = (redis.RedisError, OSError)
        self.fallback = fallback
        self.down_until = 0.0
        self.down = False
        self.lock = threading.Lock()

    def hit(self, key: str, duration: int) -> tuple[int, int]:
        if time.monotonic() < self.down_until:
            return self.fallback.hit(key, duration)
        try:
            with self.client.pipeline(transaction=True) as pipe:
                count, _, ttl = pipe.incr(key).expire(key, duration, nx=True).ttl(key).execute()
        except self.errors as exc:
            self.went_down(exc)
            return self.fallback.hit(key, duration)
        if self.down:
            self.came_back()
        return int(count), max(int(ttl), 0)

    def went_down(self, exc):
        """Count in memory for a while; say so once an outage, not once a request."""
        with self.lock:
            self.down_until = time.monotonic() + self.RETRY_SECONDS
            was_down, self.down = self.down, True
        if not was_down:
            logger.warning("Redis unavailable for rate limits (%s); counting in process memory", exc)

    def came_back(self):
        with self.lock:
            was_down, self.down = self.down, False
        if was_down:
            logger.warning("Redis answers again; rate limits count there")

    def answers(self) -> bool:
        """Redis answers a PING within the timeout (for /readyz)."""
        try:
            return bool(self.client.ping())
        except self.errors:
            return False

    def clear(self):
        self.fallback.clear()


_memory = MemoryCounter()
_counters = {}


def counter():
    """The counter for the configured store (built once per process and REDIS_URL)."""
    url = settings.REDIS_URL
    if url is None:
        return _memory
    if url not in _counters:
        _counters[url] = RedisCounter(url, _memory)
    return _counters[url]


class CountingThrottle(throttling.SimpleRateThrottle):
    """DRF's rate and identity, counted by counter(); leaves the limit, what remains and the
    seconds to reset on the request, for RequestLogMiddleware's RateLimit-* headers."""

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        count, reset = counter().hit(key, self.duration)
        request._request.rate_limit = (self.num_requests, max(self.num_requests - count, 0), reset)
        self.seconds_to_wait = reset
        return count <= self.num_requests

    def wait(self):
        return self.seconds_to_wait

    def get_ident(self, request):
        """The client's address through the trusted proxies only: DRF's own believes any
        X-Forwarded-For, so a client could name itself anew on every request."""
        return client_address(request.META)


def counted(exc, context):
    """The error to answer with, once a request DRF refused before its throttles ran (bad
    credentials, an anonymous write, a missing permission) is counted as any other; past the
    limit, the 429. Otherwise a refusal would cost a client nothing, and tokens could be
    guessed without end."""
    request, view = context.get("request"), context.get("view")
    if not isinstance(exc, exceptions.APIException) or isinstance(exc, exceptions.Throttled):
        return exc  # not a refusal (a database down goes on to its 503), or one already counted
    if request is None or view is None:
        return exc
    if hasattr(request._request, "rate_limit"):  # counted already
        return exc
    with contextlib.suppress(exceptions.APIException):
        request.user  # noqa: B018 (authenticates: credentials that fail leave it anonymous)
    try:
        view.check_throttles(request)
    except exceptions.Throttled as throttled:
        return throttled
    return exc


class AnonymousRateThrottle(CountingThrottle, throttling.AnonRateThrottle):
    pass


class EditorRateThrottle(CountingThrottle, throttling.UserRateThrottle):
    """Only for signed-in editors; anonymous clients have their own limit."""

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)
