"""The shapes the storage protocols take and return, free of any backend's types."""

from __future__ import annotations

from typing import NewType

Transaction = NewType("Transaction", object)
"""A unit of work opened by ``Store.transaction()``: the store's writes given it commit together
or not at all. Only the store that opened it looks inside."""

__all__ = ["Transaction"]
