"""Health checks for the process manager and the load balancer.

/readyz asks each dependency and reports each with its own status ("ok" or "unavailable"):

- the database: without it nothing can be served, so /readyz is a 503 problem (with
  Retry-After) whose `checks` say what failed;
- Redis, when REDIS_URL is set: without it the service still serves everything, with rate
  limits counted in each process's memory (api.throttling), so /readyz is a 200 whose status
  is "degraded": taking every server out of the load balancer for a Redis outage would turn
  a looser rate limit into no service at all.
"""

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import JsonResponse

from api.middleware import database_unavailable
from api.throttling import counter


def healthz(request):
    """The process answers; touches nothing else."""
    return JsonResponse({"status": "ok"})


def readyz(request):
    checks = {"database": "ok" if database_answers() else "unavailable"}
    if settings.REDIS_URL is not None:
        checks["redis"] = "ok" if counter().answers() else "unavailable"
    if checks["database"] != "ok":
        return database_unavailable(request, checks=checks)
    status = "ok" if all(value == "ok" for value in checks.values()) else "degraded"
    return JsonResponse({"status": status, "checks": checks})


def database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except (OperationalError, InterfaceError):
        return False
    return True
