"""The client's address, for the login lockout (django-axes' ``AXES_CLIENT_IP_CALLABLE``).

``X-Forwarded-For`` is anyone's to write, so it counts only when the request comes from
one of ``WORKBENCH_TRUSTED_PROXIES`` with ``BEHIND_PROXY`` on. Then the header is read
from the right (each proxy appends the address it saw) past the trusted proxies: the
first other address is the client. Otherwise the client is the peer, ``REMOTE_ADDR``.
"""

from __future__ import annotations

import functools
import ipaddress

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.cache
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(settings.WORKBENCH_TRUSTED_PROXIES)))


def client_address(request: HttpRequest) -> str:
    peer = request.META.get("REMOTE_ADDR", "")
    if not settings.WORKBENCH_BEHIND_PROXY or not _trusted(peer):
        return peer
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed(hops):
        if not _trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a proxy we trust wrote nonsense: key on the proxy
    return hops[0] if hops[0] else peer
