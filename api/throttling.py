"""Rate limits whose counters live in the shared cache (the database's cache table, or
Redis when REDIS_URL is set), so every server process counts the same requests."""

import math

from rest_framework import throttling


class RateLimitHeadersMixin:
    """Leaves the client's limit, what remains of it, and seconds to reset on the request,
    for RequestLogMiddleware to put in RateLimit-* headers."""

    def allow_request(self, request, view):
        allowed = super().allow_request(request, view)
        if self.rate is not None and hasattr(self, "history"):
            remaining = max(self.num_requests - len(self.history), 0)
            reset = math.ceil(self.history[-1] - self.now + self.duration) if self.history else self.duration
            request._request.rate_limit = (self.num_requests, remaining, max(reset, 0))
        return allowed


class AnonymousRateThrottle(RateLimitHeadersMixin, throttling.AnonRateThrottle):
    pass


class EditorRateThrottle(RateLimitHeadersMixin, throttling.UserRateThrottle):
    """Only for signed-in editors; anonymous clients have their own limit."""

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)
