"""TLP in STIX: the five TLP 2.0 marking definitions, and the TLP 1.0 ones partners still send.

The TLP 2.0 objects are the OASIS CTI TC's common objects (oasis-open/cti-stix-common-objects,
``objects/marking-definition/``): fixed ids, ``created`` 2022-10-01, and the colour in the
``tlp_2_0`` property of one extension. Their ids are written out here, not looked up: the stix2
library ships only the TLP 1.0 constants, and several public copies of the TLP 2.0 ids are wrong
(docs/standards.md §1.3).

TLP 1.0 is built into STIX 2.1 itself. It is read, never written: its WHITE is TLP 2.0's CLEAR, and
it has no AMBER+STRICT.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from tocsin.model.tlp import TLP

TLP_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP_CREATED = "2022-10-01T00:00:00.000Z"

TLP2_IDS: dict[TLP, str] = {
    TLP.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    TLP.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    TLP.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    TLP.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    TLP.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
TLP1_IDS: dict[str, TLP] = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": TLP.CLEAR,  # TLP:WHITE
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": TLP.GREEN,
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": TLP.AMBER,
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": TLP.RED,
}
KNOWN: dict[str, TLP] = {**{id_: label for label, id_ in TLP2_IDS.items()}, **TLP1_IDS}


def marking_id(label: TLP) -> str:
    """The fixed id of a TLP 2.0 marking definition."""
    return TLP2_IDS[label]


def marking(label: TLP) -> dict[str, Any]:
    """A TLP 2.0 marking definition exactly as OASIS publishes it (a fresh dict each call)."""
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": TLP2_IDS[label],
        "created": TLP_CREATED,
        "name": label.label,
        "extensions": {
            TLP_EXTENSION: {
                "extension_type": "property-extension",
                "tlp_2_0": label.value_name.lower(),
            }
        },
    }


def tlp_of_refs(refs: Iterable[str], *, definitions: Mapping[str, TLP] | None = None) -> TLP | None:
    """The most restrictive TLP among marking refs (TLP 2.0 or 1.0 ids); None when none is TLP.

    ``definitions`` adds TLP marking definitions that a bundle declares under other ids (read
    with ``tlp_of_definition``); the well-known ids always mean what OASIS says they mean.
    Refs that are not TLP (a copyright statement, say) do not count.
    """
    found: TLP | None = None
    for ref in refs:
        label = KNOWN.get(ref)
        if label is None and definitions:
            label = definitions.get(ref)
        if label is not None and (found is None or label > found):
            found = label
    return found


def tlp_of_definition(obj: Mapping[str, Any]) -> TLP | None:
    """The TLP a ``marking-definition`` object declares (2.0 extension or 1.0 ``tlp``), if any.

    Fails closed: a definition that cannot be read (``extensions`` that is not an object, a TLP
    extension or ``definition`` of the wrong shape, a colour that is not TLP) is RED; only a
    well-formed definition of another kind (a statement, say) is None.
    """
    extensions = obj.get("extensions", {})
    if not isinstance(extensions, Mapping):
        return TLP.RED
    if TLP_EXTENSION in extensions:
        extension = extensions[TLP_EXTENSION]
        colour = extension.get("tlp_2_0") if isinstance(extension, Mapping) else None
        return _colour(colour)
    if obj.get("definition_type") == "tlp":
        definition = obj.get("definition")
        return _colour(definition.get("tlp") if isinstance(definition, Mapping) else None)
    return None


def _colour(value: Any) -> TLP:
    try:
        return TLP.parse(value)
    except ValueError:
        return TLP.RED


ABSENT: Any = object()


def tlp_of_marks(
    refs: Any = ABSENT,
    granular: Any = ABSENT,
    *,
    definitions: Mapping[str, TLP | None] | None = None,
) -> TLP | None:
    """The TLP of an object's ``object_marking_refs`` and ``granular_markings`` as received.

    Fails closed, never lower: a value of the wrong shape (not a list, an empty list, an item
    that is not a marking id or a granular marking) is RED. With ``definitions`` (every marking
    definition of the input, None for those that are not TLP), an id that is neither a TLP id
    nor defined in the input is RED too. None when the object carries no TLP marking at all.
    """
    found: list[TLP | None] = []
    if refs is not ABSENT:
        found.append(_refs(refs, definitions))
    if granular is not ABSENT:
        if not isinstance(granular, list) or not granular:
            return TLP.RED
        for item in granular:
            ref = item.get("marking_ref") if isinstance(item, Mapping) else None
            if ref is None and isinstance(item, Mapping) and "lang" in item:
                continue  # a language marking, not a TLP one
            found.append(_refs([ref], definitions))
    labels = [label for label in found if label is not None]
    return max(labels) if labels else None


def _refs(refs: Any, definitions: Mapping[str, TLP | None] | None) -> TLP | None:
    if not isinstance(refs, list) or not refs:
        return TLP.RED
    found: TLP | None = None
    for ref in refs:
        if not isinstance(ref, str) or not ref.startswith("marking-definition--"):
            return TLP.RED
        label = KNOWN.get(ref)
        if label is None and definitions is not None:
            if ref not in definitions:
                return TLP.RED  # an id nothing in the input defines
            label = definitions[ref]
        if label is not None and (found is None or label > found):
            found = label
    return found
