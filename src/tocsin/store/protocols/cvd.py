"""Vulnerability cases: the case, its vendors and products, its communication log.

The reporter's contact is read only by ``reporter_contact``: no case object carries it.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from tocsin.model.cvd import Case, Message, ProductStatus, State
from tocsin.store.shapes import Transaction


@runtime_checkable
class CvdStore(Protocol):
    def add_case(self, tx: Transaction, values: dict[str, Any]) -> int: ...

    def update_case(self, tx: Transaction, case_id: int, **values: Any) -> None: ...

    def case(self, case_id: int, tx: Transaction | None = None) -> Case | None: ...

    def case_by_public_id(self, public_id: str, tx: Transaction | None = None) -> Case | None: ...

    def cases(self, *, state: State | None = None, limit: int = 100) -> list[Case]:
        """The newest first, with their vendors and products."""
        ...

    def reporter_contact(self, case_id: int) -> str: ...

    def add_vendor(self, tx: Transaction, case_id: int, name: str) -> int: ...

    def update_vendor(self, tx: Transaction, vendor_id: int, **values: Any) -> None: ...

    def add_product(self, tx: Transaction, case_id: int, values: dict[str, Any]) -> int: ...

    def set_product_status(
        self, tx: Transaction, product_id: int, status: ProductStatus
    ) -> None: ...

    def add_message(self, tx: Transaction, case_id: int, values: dict[str, Any]) -> int: ...

    def messages(self, case_id: int, limit: int = 1000) -> list[Message]:
        """Oldest first."""
        ...
