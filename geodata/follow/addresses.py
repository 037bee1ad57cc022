"""Which URLs the follower may fetch: http(s) only, and public addresses unless allowed.

Checked twice: the host's resolved addresses before each request (every redirect hop too), and
the address actually connected to (`guarded_adapter`), so a name that resolves to a public
address for the check and to a private one for the connection (DNS rebinding) is refused too.
"""
from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from geodata.exceptions import RefusedURL

SCHEMES = ("http", "https")


def check_url(url: str) -> str:
    """The URL if its form is one we fetch (absolute http(s) with a host), else RefusedURL."""
    try:
        parts = urlsplit(url.strip())
    except ValueError as exc:
        raise RefusedURL(f"not a URL ({exc})") from None
    if parts.scheme.lower() not in SCHEMES:
        raise RefusedURL(f"only http and https addresses are followed, not {parts.scheme or 'a relative'} URL")
    if not parts.hostname:
        raise RefusedURL("the address has no host")
    return url.strip()


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_host(url: str, allow_local: bool) -> None:
    """RefusedURL unless every address the URL's host resolves to may be fetched."""
    host = urlsplit(url).hostname or ""
    if allow_local:
        return
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise RefusedURL(f"cannot resolve {host} ({exc})") from None
    for info in infos:
        if not is_public(info[4][0]):
            raise RefusedURL(f"{host} is a private or local address ({info[4][0]}); "
                             "set PLACEWIRE_FOLLOW_ALLOW_LOCAL=1 to allow it")


def _peer_checked(base):
    """A urllib3 connection class that refuses a socket connected to a non-public address."""

    class Checked(base):
        def _new_conn(self):
            sock = super()._new_conn()
            peer = sock.getpeername()[0]
            if not is_public(peer):
                sock.close()
                raise RefusedURL(f"{self.host} connected to a private or local address ({peer})")
            return sock

    return Checked


class _Pool(HTTPConnectionPool):
    ConnectionCls = _peer_checked(HTTPConnection)


class _SecurePool(HTTPSConnectionPool):
    ConnectionCls = _peer_checked(HTTPSConnection)


class GuardedAdapter(HTTPAdapter):
    """requests' adapter whose connections refuse a non-public peer (unless `allow_local`)."""

    def __init__(self, *args, allow_local: bool = False, **kwargs):
        self.allow_local = allow_local
        super().__init__(*args, **kwargs)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        if not self.allow_local:
            self.poolmanager.pool_classes_by_scheme = {"http": _Pool, "https": _SecurePool}
