"""One workflow engine: the states a record moves through and the moves each allows, as data.

Incidents and vulnerability cases (and, later, requests for assistance) each declare a
``Workflow``; the service that moves a record asks it. A move the current state does not allow is
refused with ``IllegalTransition``, whose message lists the moves that state does allow. A move
may name guards: conditions the record must meet first ("every vendor contacted"). What a guard
checks belongs to the record's service, which hands the engine one check per name; the engine
runs those the move names, in their declared order, and each check raises its own error.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Generic, Protocol, TypeVar


class Labelled(Hashable, Protocol):
    """A state: hashable, with the words people read (``in progress``)."""

    @property
    def label(self) -> str: ...


S = TypeVar("S", bound=Labelled)

Check = Callable[[], object]  # raises when the record does not meet the guard


class Move(Generic[S]):
    """A move to ``target`` that names guards: ``Move(State.PUBLISHED, "products named")``."""

    __slots__ = ("guards", "target")

    def __init__(self, target: S, *guards: str) -> None:
        self.target = target
        self.guards = guards

    def __repr__(self) -> str:
        return f"Move({self.target!r}, {', '.join(map(repr, self.guards))})"


class IllegalTransition(ValueError):
    """A workflow move the current state does not allow."""

    def __init__(
        self, noun: str, current: Labelled, wanted: Labelled, allowed: Sequence[Labelled]
    ) -> None:
        names = ", ".join(s.label for s in allowed) or "none"
        super().__init__(
            f"{noun} that is {current.label} cannot become {wanted.label}; it can become: {names}"
        )
        self.current = current
        self.wanted = wanted
        self.allowed = tuple(allowed)


class Workflow(Generic[S]):
    """The moves of one kind of record. ``noun`` names it in errors (``an incident``); ``moves``
    gives, for every state, the states it may become, each bare or as a guarded ``Move``."""

    __slots__ = ("_guards", "noun", "transitions")

    def __init__(self, noun: str, moves: Mapping[S, Sequence[S | Move[S]]]) -> None:
        self.noun = noun
        transitions: dict[S, tuple[S, ...]] = {}
        guards: dict[tuple[S, S], tuple[str, ...]] = {}
        for source, targets in moves.items():
            found: list[S] = []
            for item in targets:
                target = item.target if isinstance(item, Move) else item
                if target not in moves:
                    raise ValueError(f"{target!r} is not a state of this workflow")
                if target in found:
                    raise ValueError(f"the move {source!r} → {target!r} is declared twice")
                found.append(target)
                if isinstance(item, Move) and item.guards:
                    guards[source, target] = item.guards
            transitions[source] = tuple(found)
        self.transitions: Mapping[S, tuple[S, ...]] = transitions
        self._guards = guards

    @property
    def states(self) -> tuple[S, ...]:
        return tuple(self.transitions)

    @property
    def guard_names(self) -> frozenset[str]:
        """Every guard some move names: the checks a service must hand in."""
        return frozenset(name for names in self._guards.values() for name in names)

    def allowed(self, current: S) -> tuple[S, ...]:
        """The states ``current`` may become, in their declared order."""
        return self.transitions[current]

    def guards(self, current: S, wanted: S) -> tuple[str, ...]:
        return self._guards.get((current, wanted), ())

    def check(self, current: S, wanted: S, checks: Mapping[str, Check] | None = None) -> None:
        """Refuse a move ``current`` does not allow (``IllegalTransition``), then run the checks
        of the guards the move names; a guard without a check is a mistake in the service."""
        allowed = self.transitions[current]
        if wanted not in allowed:
            raise IllegalTransition(self.noun, current, wanted, allowed)
        for name in self.guards(current, wanted):
            if checks is None or name not in checks:
                raise LookupError(f"no check given for the guard {name!r}")
            checks[name]()


__all__ = ["Check", "IllegalTransition", "Labelled", "Move", "Workflow"]
