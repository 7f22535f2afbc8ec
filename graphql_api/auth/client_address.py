"""The client's address, which sign-in throttling counts by.

`X-Forwarded-For` is written by whoever sends the request, so it is believed
only from a proxy listed in TRUSTED_PROXIES: walking the header from the right
(each proxy appends the address it saw), the first address that is not a
trusted proxy is the client. Without trusted proxies, or when the TCP peer is
not one, the peer's own address is the answer and the header is ignored.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import cache, lru_cache

from starlette.datastructures import Headers

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@cache
def networks(trusted: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in trusted)


@lru_cache(maxsize=4096)  # every request asks, twice; clients are few and repeat
def _parse(text: str) -> Address | None:
    text = text.strip().strip('"')
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:4711"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "192.0.2.1:4711"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, trusted: Iterable[Network]) -> bool:
    return any(address.version == network.version and address in network for network in trusted)


def client_address(
    peer: str | None, headers: Headers | None, trusted_proxies: Iterable[str]
) -> str | None:
    """The address to count a client by (see the module docstring)."""
    if not trusted_proxies or headers is None:
        return _peer_text(peer) if peer else peer
    trusted = networks(tuple(trusted_proxies))
    peer_address = _parse(peer) if peer else None
    if peer_address is None or not trusted:
        return _text(peer_address) if peer_address else peer
    if not _trusted(peer_address, trusted):
        return _text(peer_address)
    hops = [hop for value in headers.getlist("x-forwarded-for") for hop in value.split(",")]
    client = peer_address
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            # A trusted proxy passed on something unreadable: stop at the last good hop.
            break
        client = address
        if not _trusted(address, trusted):
            break
    return _text(client)


@lru_cache(maxsize=4096)  # str() of an address is slow, and every request asks twice
def _text(address: Address) -> str:
    return str(address)


@lru_cache(maxsize=4096)  # no proxy to believe: one look-up by the peer's own text
def _peer_text(peer: str) -> str:
    address = _parse(peer)
    return _text(address) if address else peer


@lru_cache(maxsize=4096)
def client_network(address: str | None) -> str:
    """The unit a per-address limit counts: the address, but an IPv6 address by its
    /64 (one host usually holds a whole /64, so single addresses cost it nothing),
    and an IPv4-mapped one as IPv4."""
    if not address:
        return "unknown"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)
