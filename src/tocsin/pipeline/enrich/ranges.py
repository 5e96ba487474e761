"""Address ranges to values, looked up with bisect; nested prefixes resolve to the most specific.

CIDR blocks form a laminar family (two are nested or disjoint), so flattening them once into
disjoint ranges, each owned by its most specific block, makes every lookup one binary search.
"""

from __future__ import annotations

import ipaddress
import socket
from bisect import bisect_right
from collections.abc import Iterable
from typing import Generic, TypeVar

V = TypeVar("V")


def ip_to_int(ip: str) -> tuple[int, int]:
    """``(version, integer)`` of a canonical IP address."""
    if ":" in ip:
        return 6, int.from_bytes(socket.inet_pton(socket.AF_INET6, ip), "big")
    return 4, int.from_bytes(socket.inet_pton(socket.AF_INET, ip), "big")


class RangeIndex(Generic[V]):
    """Disjoint ``[start, end]`` ranges of one IP version, each with a value."""

    __slots__ = ("_ends", "_starts", "_values")

    def __init__(self, ranges: Iterable[tuple[int, int, V]]) -> None:
        starts: list[int] = []
        ends: list[int] = []
        values: list[V] = []

        def emit(start: int, end: int, value: V) -> None:
            if start <= end:
                starts.append(start)
                ends.append(end)
                values.append(value)

        ordered = sorted(ranges, key=lambda item: (item[0], -item[1]))
        stack: list[tuple[int, V]] = []
        cursor = 0
        for start, end, value in ordered:
            while stack and stack[-1][0] < start:
                top_end, top_value = stack.pop()
                emit(cursor, top_end, top_value)
                cursor = max(cursor, top_end + 1)
            if stack:
                emit(cursor, start - 1, stack[-1][1])
            stack.append((end, value))
            cursor = start
        while stack:
            top_end, top_value = stack.pop()
            emit(cursor, top_end, top_value)
            cursor = max(cursor, top_end + 1)
        self._starts = starts
        self._ends = ends
        self._values = values

    def __len__(self) -> int:
        return len(self._starts)

    def get(self, key: int) -> V | None:
        i = bisect_right(self._starts, key) - 1
        if i >= 0 and key <= self._ends[i]:
            return self._values[i]
        return None


class AddressMap(Generic[V]):
    """IPv4 and IPv6 ranges with values; ``lookup(ip)`` takes a canonical address string."""

    __slots__ = ("_v4", "_v6")

    def __init__(self, v4: Iterable[tuple[int, int, V]], v6: Iterable[tuple[int, int, V]]) -> None:
        self._v4: RangeIndex[V] = RangeIndex(v4)
        self._v6: RangeIndex[V] = RangeIndex(v6)

    @classmethod
    def from_networks(cls, items: Iterable[tuple[str, V]]) -> AddressMap[V]:
        v4: list[tuple[int, int, V]] = []
        v6: list[tuple[int, int, V]] = []
        for cidr, value in items:
            net = ipaddress.ip_network(cidr, strict=False)
            target = v4 if net.version == 4 else v6
            target.append((int(net.network_address), int(net.broadcast_address), value))
        return cls(v4, v6)

    def __len__(self) -> int:
        return len(self._v4) + len(self._v6)

    def lookup(self, ip: str) -> V | None:
        try:
            version, number = ip_to_int(ip)
        except OSError:
            return None
        return (self._v4 if version == 4 else self._v6).get(number)

    def lookup_network(self, cidr: str) -> V | None:
        """The value owning a network's first address."""
        return self.lookup(cidr.split("/", 1)[0])
