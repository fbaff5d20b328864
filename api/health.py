"""Health checks for the process manager and the load balancer."""

from django.db import connection
from django.http import JsonResponse


def healthz(request):
    """The process answers; touches nothing else."""
    return JsonResponse({"status": "ok"})


def readyz(request):
    """The database answers a trivial query; if it cannot, DatabaseUnavailableMiddleware
    answers 503 as it does for every other view."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": "ok"})
