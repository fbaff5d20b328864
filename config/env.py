"""Strict readers for settings taken from the environment.

A malformed value stops start-up with a message naming the variable, rather than
silently falling back to a default.
"""

import ipaddress
import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean; anything but the usual spellings is an error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off."
    )


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    """Read a whole number no smaller than `minimum`."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}.")
    return value


def env_str(name: str, default: str | None = None) -> str | None:
    """Read a string, treating an empty value as unset."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip()


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated list; empty items are an error."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    items = [item.strip() for item in raw.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(f"{name}={raw!r} has an empty item in its comma-separated list.")
    return items


def env_networks(name: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Read a comma-separated list of IP addresses and networks (`10.0.0.0/8`); an address is a
    network of one, and a network with host bits set (`10.0.0.1/8`) is an error."""
    networks = []
    for item in env_list(name, default=[]):
        try:
            networks.append(ipaddress.ip_network(item))
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name}: {item!r} is not an IP address or network ({exc}).") from None
    return networks


def env_database(name: str, default: str) -> dict:
    """Read a database URL (sqlite:///path or postgres://user@host:port/name)."""
    return _database(name, env_str(name, default))


def env_databases(name: str) -> list[dict]:
    """Read a comma-separated list of database URLs; empty or unset, none."""
    return [_database(name, raw) for raw in env_list(name, default=[])]


def _database(name: str, raw: str) -> dict:
    import dj_database_url

    try:
        config = dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # dj-database-url raises several types for a bad URL
        raise ImproperlyConfigured(f"{name}={raw!r} is not a valid database URL: {exc}") from None
    if not config.get("ENGINE"):
        raise ImproperlyConfigured(f"{name}={raw!r} names no database engine.")
    return config
