"""A release as its readers load it: CSV (a line a cell, ``[c]`` where suppressed), SDMX-CSV
(what statistics offices load: the dataflow, one column a dimension, ``TIME_PERIOD``,
``OBS_VALUE`` and the confidentiality status ``CONF_STATUS``, ``C`` for a suppressed cell and
``F`` for a free one) and JSON (``release.schema.json`` beside this module describes it)."""

from __future__ import annotations

import csv
import io
from importlib import resources
from typing import Any

import orjson

from tocsin.stats.tables import TOTAL, Spec

SUPPRESSED = "[c]"  # what a suppressed cell shows (the ONS' mark for "confidential")
AGENCY = "TOCSIN"


def to_csv(spec: Spec, rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([spec.rows] + ([spec.columns] if spec.columns else []) + [spec.measure])
    for row in rows:
        writer.writerow([*row["key"], SUPPRESSED if row["suppressed"] else row["shown"]])
    return out.getvalue()


def time_period(spec: Spec) -> str:
    """SDMX's time period: a month, a calendar year, or a start and a duration."""
    months = spec.months
    if len(months) == 1:
        return months[0]
    year = months[0][:4]
    if months[0] == f"{year}-01" and months[-1] == f"{year}-12":
        return year
    return f"{months[0]}-01/P{len(months)}M"


def to_sdmx_csv(spec: Spec, rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    dims = [spec.rows] + ([spec.columns] if spec.columns else [])
    dataflow = f"{AGENCY}:{spec.name.upper().replace('.', '_')}(1.0)"
    writer.writerow(
        ["DATAFLOW", *(d.upper() for d in dims), "TIME_PERIOD", "OBS_VALUE", "CONF_STATUS"]
    )
    for row in rows:
        codes = ["_T" if code == TOTAL else code for code in row["key"]]  # SDMX's total
        value = "" if row["suppressed"] else str(row["shown"])
        status = "C" if row["suppressed"] else "F"
        writer.writerow([dataflow, *codes, time_period(spec), value, status])
    return out.getvalue()


def to_json(release: dict[str, Any]) -> dict[str, Any]:
    """What a release publishes: never a suppressed value, nor the victims behind a cell."""
    spec = release["spec"]
    return {
        "id": release["id"],
        "name": release["name"],
        "title": release["title"],
        "state": release["state"],
        "rows": spec["rows"],
        "columns": spec.get("columns"),
        "from": spec["from"],
        "to": spec["to"],
        "measure": spec.get("measure", "incidents"),
        "method": method(spec),
        "cells": [
            {
                "key": row["key"],
                "value": None if row["suppressed"] else row["shown"],
                "suppressed": row["suppressed"],
            }
            for row in release["cells"]
        ],
        "snapshot": release["snapshot"],
        "csv_sha256": release["digest"],
    }


def method(spec: dict[str, Any]) -> dict[str, Any]:
    """How the release was protected: suppression and its rule, or differential privacy and the
    parameters of its noise (``stats.dp``; a release kept before dp existed is suppression)."""
    if spec.get("method") == "dp":
        noise = spec["noise"]
        return {
            "kind": "dp",
            "epsilon": spec["epsilon"],
            "contributions": spec["contributions"],
            "scale": noise["scale"],
            "accuracy95": noise["accuracy95"],
        }
    return {
        "kind": "suppression",
        "threshold": spec["threshold"],
        "zeros_disclosive": spec["zeros_disclosive"],
        "rounding": spec["rounding"],
        "protection": spec["protection"],
        "dominance": {"n": 2, "k": 0.9},
    }


def schema() -> dict[str, Any]:
    text = resources.files("tocsin.stats").joinpath("release.schema.json").read_bytes()
    return dict(orjson.loads(text))


__all__ = ["SUPPRESSED", "method", "schema", "time_period", "to_csv", "to_json", "to_sdmx_csv"]
