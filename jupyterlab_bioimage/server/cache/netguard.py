"""Where the server may connect to: checked for every URL, every redirect and every address.

The cache makes the *server* issue HTTP requests for URLs that come from browsers, model
descriptions and zips, so it must not become a way into networks only the server can reach
(SSRF). Three rules, applied to every hop (the redirects are followed by :mod:`.download`
itself, never by tornado):

1. the URL is plain http(s), without credentials, and its host matches
   ``c.BioImageCache.allowed_hosts`` (when set) -- :func:`.validate.validate_url`;
2. every address the host name resolves to is public: loopback, private, link-local,
   multicast, reserved and unspecified addresses are refused unless
   ``c.BioImageCache.allowed_private_addresses`` names them;
3. the connection goes to exactly the address that was checked. :class:`GuardedResolver` is
   the resolver of the HTTP client: it resolves, checks and returns only the checked
   addresses, so tornado connects to what was vetted. A name that resolves to a public
   address for the check and to 127.0.0.1 for the connection (DNS rebinding) therefore
   cannot get through: there is one resolution per connection. The Host header and TLS
   SNI/certificate checks still use the host name (tornado does that from the URL).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from typing import Any, Optional, Union

from tornado.netutil import DefaultLoopResolver, Resolver

from .errors import RefusedDestination

IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
IPNetwork = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]


def parse_networks(entries: Iterable[str]) -> list[IPNetwork]:
    """``['127.0.0.1', '10.0.0.0/8', '::1']`` as networks; a bad entry raises ``ValueError``."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(str(entry).strip(), strict=False))
        except ValueError:
            raise ValueError(
                f"c.BioImageCache.allowed_private_addresses: {entry!r} is not an IP address "
                "or network; give addresses such as '127.0.0.1' or networks such as "
                "'10.1.2.0/24' (host names are not accepted here: list them in allowed_hosts)."
            ) from None
    return networks


def address_kind(address: IPAddress) -> Optional[str]:
    """Why ``address`` is not a public address (``'loopback'``, ...), or None when it is."""
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:  # ::ffff:127.0.0.1 is 127.0.0.1
        address = mapped
    for kind in ("unspecified", "loopback", "link_local", "multicast", "private", "reserved"):
        if getattr(address, f"is_{kind}"):
            return kind.replace("_", "-")
    if not address.is_global:  # e.g. 100.64.0.0/10 (carrier-grade NAT)
        return "non-public"
    return None


class AddressPolicy:
    """The connection rules of :mod:`.netguard` (see the module docstring)."""

    def __init__(self, allowed_hosts: Iterable[str] = (),
                 allowed_private_addresses: Iterable[str] = ()) -> None:
        self.allowed_hosts = list(allowed_hosts)
        self.allowed_private_networks = parse_networks(allowed_private_addresses)

    def check_address(self, host: str, address: str) -> None:
        """Refuse a non-public ``address`` (that ``host`` resolved to) unless allowed."""
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
        except ValueError:
            raise RefusedDestination(
                f"Refused {host!r}: it resolved to {address!r}, which is not an IP address. "
                "Nothing was fetched.", host=host, address=address,
            ) from None
        kind = address_kind(ip)
        if kind is None:
            return
        check = getattr(ip, "ipv4_mapped", None) or ip
        if any(check in net for net in self.allowed_private_networks):
            return
        if host.strip("[]") == str(ip):
            what = f"Refused to connect to {ip}: it is a {kind} address"
        else:
            what = f"Refused to connect to {host!r}: it resolves to {ip}, a {kind} address"
        raise RefusedDestination(
            f"{what}, and the server does not fetch "
            "from this machine or internal networks, whether a URL, a redirect or a host "
            "name leads there. Nothing was fetched or cached. If this server is meant to "
            f"reach it (e.g. a local model mirror), add '{ip}' to "
            "c.BioImageCache.allowed_private_addresses.",
            host=host, address=str(ip),
        )


class GuardedResolver(Resolver):
    """Resolves with ``resolver`` (the system's by default), then applies ``policy``.

    Every address of the answer must pass; the answer is returned unchanged, and tornado
    connects only to those addresses.
    """

    def initialize(self, policy: AddressPolicy, resolver: Optional[Resolver] = None) -> None:
        self.policy = policy
        self.base = resolver if resolver is not None else DefaultLoopResolver()

    async def resolve(self, host: str, port: int,
                      family: socket.AddressFamily = socket.AF_UNSPEC) -> list[tuple[int, Any]]:
        addresses = await self.base.resolve(host, port, family)
        if not addresses:
            raise RefusedDestination(
                f"{host!r} did not resolve to any address. Nothing was fetched; check the URL.",
                host=host,
            )
        for _family, sockaddr in addresses:
            self.policy.check_address(host, str(sockaddr[0]))
        return list(addresses)

    def close(self) -> None:
        self.base.close()
