"""Who the client is: the address a request came from, as the trusted proxies report it.

REMOTE_ADDR is whoever opened the connection. Only when that is one of API_TRUSTED_PROXIES
(the TLS proxy in front) is X-Forwarded-For believed, and only as far as trusted proxies
wrote it: it is read from the right, each trusted proxy naming the one before it, and the
first address that is not a trusted proxy is the client. Whatever stands further left is
what the client chose to send. Rate limits, login lockouts and the request log all ask here.
"""

import ipaddress

from django.conf import settings


def client_address(meta) -> str:
    """The client's address, from a WSGI environ or a request's META."""
    address = meta.get("REMOTE_ADDR", "")
    if not settings.API_TRUSTED_PROXIES:
        return address
    hops = meta.get("HTTP_X_FORWARDED_FOR", "").split(",")
    while trusted(address) and hops:
        try:
            address = str(normal(hops.pop().strip()))
        except ValueError:
            # Not written by a trusted proxy: the last proxy is all that is known.
            break
    return address


def of_request(request) -> str:
    """client_address() for django-axes (AXES_CLIENT_IP_CALLABLE), which passes the request."""
    return client_address(request.META)


def trusted(address: str) -> bool:
    try:
        ip = normal(address)
    except ValueError:
        return False
    return any(ip in network for network in settings.API_TRUSTED_PROXIES)


def normal(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The address, with an IPv4 address written as IPv6 (::ffff:10.0.0.1) as plain IPv4."""
    ip = ipaddress.ip_address(address)
    return getattr(ip, "ipv4_mapped", None) or ip
