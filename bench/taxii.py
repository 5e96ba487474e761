"""TAXII 2.1 read benchmark: the same STIX objects served by Tocsin and by medallion (the OASIS
reference TAXII 2.1 server, memory backend), fetched by the same client with the same page size.

    python bench/taxii.py [--objects 5000] [--large 500000] [--page 1000] [--gets 2000]
                          [--no-medallion] [--database-url URL]

For each server, on 127.0.0.1, in a process of its own:
- the whole collection through the OASIS client (``taxii2client.v21.as_pages(get_objects)``,
  ``per_request`` = the page size, a fresh Collection per run): objects/s;
- GET one object by id, one request at a time over one keep-alive connection (plain http.client,
  the lightest client; ``requests`` alone costs ~0.6 ms a request here), then for Tocsin over
  ``--clients`` connections at once: requests/s.
Then Tocsin alone with ``--large`` objects, to show that the cost of a page does not grow with the
collection (medallion re-sorts and deep-copies its whole collection on every request, so it is
measured at the small size only; see docs/benchmarks.md §2).

Objects (seed 42): 91 % indicators (IPv4, domain, URL, SHA-256 patterns), identities, malware,
relationships and sightings, all STIX 2.1 with TLP:CLEAR or TLP:GREEN (TLP 2.0) markings so that
the benchmark partner, whose agreement reaches GREEN, may read all of them. medallion needs
``pip install -e '.[bench]'`` (``make bench`` does it). Not a test: figures only.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from taxii2client.v21 import Collection, Server, as_pages

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loopback import free_port, tocsin_serve
from tocsin.formats.markings import marking, marking_id
from tocsin.model.people import Principal
from tocsin.model.tlp import TLP
from tocsin.services.accounts import Accounts
from tocsin.services.desk import audit_keys
from tocsin.settings import Settings
from tocsin.share.sharing import Sharing, stix_object
from tocsin.store import open_store

TAXII = "application/taxii+json;version=2.1"
USER, PASSWORD = "bench-partner", "a long benchmark partner passphrase"
START = datetime(2026, 1, 1, tzinfo=UTC)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def generate(count: int, seed: int = 42) -> list[dict[str, Any]]:
    """``count`` STIX 2.1 objects, the same for a given seed."""
    rng = random.Random(seed)
    ns = uuid.UUID("6b1f7a52-2c0e-4a55-9d89-3c9f0b1c2d3e")
    marks = [marking_id(TLP.CLEAR), marking_id(TLP.GREEN)]
    producer = f"identity--{uuid.uuid5(ns, 'producer')}"
    objects: list[dict[str, Any]] = [
        {
            "type": "identity",
            "spec_version": "2.1",
            "id": producer,
            "created": stamp(START),
            "modified": stamp(START),
            "name": "Benchmark producer",
            "identity_class": "organization",
            "object_marking_refs": [marks[0]],
        },
    ]
    indicators: list[str] = []
    malware: list[str] = []
    for n in range(1, count):
        created = START + timedelta(seconds=n)
        modified = created + timedelta(hours=1) if rng.random() < 0.3 else created
        common = {
            "spec_version": "2.1",
            "created": stamp(created),
            "modified": stamp(modified),
            "created_by_ref": producer,
            "object_marking_refs": [marks[rng.random() < 0.6]],
        }
        roll = rng.random()
        oid = str(uuid.uuid5(ns, str(n)))
        if roll < 0.91 or not indicators:
            kind = rng.random()
            if kind < 0.4:
                address = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
                pattern = f"[ipv4-addr:value = '{address}']"
            elif kind < 0.7:
                pattern = f"[domain-name:value = 'h{rng.randrange(10**6)}.example']"
            elif kind < 0.92:
                pattern = f"[url:value = 'http://h{rng.randrange(10**6)}.example/gate.php']"
            else:
                pattern = f"[file:hashes.'SHA-256' = '{rng.randbytes(32).hex()}']"
            indicators.append(f"indicator--{oid}")
            objects.append(
                {
                    "type": "indicator",
                    "id": indicators[-1],
                    **common,
                    "pattern": pattern,
                    "pattern_type": "stix",
                    "valid_from": stamp(created),
                    "indicator_types": ["malicious-activity"],
                }
            )
        elif roll < 0.92:
            objects.append(
                {
                    "type": "identity",
                    "id": f"identity--{oid}",
                    **common,
                    "name": f"Organisation {n}",
                    "identity_class": "organization",
                }
            )
        elif roll < 0.94 or not malware:
            malware.append(f"malware--{oid}")
            objects.append(
                {
                    "type": "malware",
                    "id": malware[-1],
                    **common,
                    "name": f"family-{n}",
                    "is_family": True,
                }
            )
        elif roll < 0.98:
            objects.append(
                {
                    "type": "relationship",
                    "id": f"relationship--{oid}",
                    **common,
                    "relationship_type": "indicates",
                    "source_ref": rng.choice(indicators),
                    "target_ref": rng.choice(malware),
                }
            )
        else:
            objects.append(
                {
                    "type": "sighting",
                    "id": f"sighting--{oid}",
                    **common,
                    "sighting_of_ref": rng.choice(indicators),
                    "count": 1,
                    "where_sighted_refs": [producer],
                }
            )
    objects += [marking(TLP.CLEAR), marking(TLP.GREEN)]
    return objects


# -- Tocsin -------------------------------------------------------------------------------------


def load_tocsin(url: str, objects: list[dict[str, Any]]) -> str:
    """A store holding the objects in one collection that the benchmark partner reads (GREEN);
    returns the collection's id."""
    data = tempfile.mkdtemp(prefix="tocsin-taxii-bench-keys-")
    keys = audit_keys(Settings(database_url=url, data_dir=data))
    store = open_store(url, audit_key=keys.mac)  # sealed as the desk seals it
    try:
        system = Principal.system()
        sharing = Sharing(store, now=lambda: int(time.time()))
        accounts = Accounts(store, now=lambda: int(time.time()))
        org = sharing.add_partner(system, "Benchmark partner")
        accounts.add_user(system, name=USER, password=PASSWORD, role="partner", org_id=org)
        found = sharing.add_collection(system, "bench", "Benchmark collection")
        sharing.set_agreement(
            system,
            "Benchmark partner",
            "bench",
            read=True,
            write=False,
            max_tlp=TLP.GREEN,
            approval=False,
        )
        added = 1_767_225_600_000_000  # 2026-01-01, µs
        for start in range(0, len(objects), 5000):
            batch = [stix_object(o) for o in objects[start : start + 5000]]
            with store.transaction() as conn:
                store.share.add_objects(conn, found.id, batch, audience=0, now_us=added)
            added += len(batch)
        assert store.share.count_objects(found.id) == len(objects)
        return found.uuid
    finally:
        store.close()


# -- medallion ----------------------------------------------------------------------------------


def medallion_files(folder: Path, base: str, objects: list[dict[str, Any]]) -> tuple[Path, str]:
    """medallion's memory-backend data file and config for the same objects."""
    collection = str(uuid.uuid4())
    added = START
    manifest = []
    for obj in objects:
        added += timedelta(milliseconds=1)
        manifest.append(
            {
                "id": obj["id"],
                "date_added": stamp(added),
                "version": obj.get("modified", obj.get("created", stamp(START))),
                "media_type": "application/stix+json;version=2.1",
            }
        )
    data = {
        "/discovery": {
            "title": "medallion",
            "default": f"{base}/bench/",
            "api_roots": [f"{base}/bench/"],
        },
        "bench": {
            "information": {"title": "bench", "versions": [TAXII], "max_content_length": 104857600},
            "status": [],
            "collections": [
                {
                    "id": collection,
                    "title": "bench",
                    "can_read": True,
                    "can_write": False,
                    "media_types": ["application/stix+json;version=2.1"],
                    "objects": objects,
                    "manifest": manifest,
                }
            ],
        },
    }
    (folder / "data.json").write_text(json.dumps(data))
    config = {
        "backend": {
            "module_class": "MemoryBackend",
            "module": "medallion.backends.memory_backend",
            "filename": str(folder / "data.json"),
        },
        "users": {USER: PASSWORD},
        "taxii": {"max_page_size": 1000},
    }
    (folder / "config.json").write_text(json.dumps(config))
    return folder / "config.json", collection


def medallion_serve(config: Path, port: int) -> subprocess.Popen[bytes]:
    command = shutil.which("medallion", path=str(Path(sys.executable).parent))
    if command is None:
        raise SystemExit("medallion is not installed: pip install -e '.[bench]' (make bench)")
    server = subprocess.Popen(
        [command, "--host", "127.0.0.1", "--port", str(port), "--log-level", "WARN", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("medallion exited at start")
        try:
            answer = requests.get(
                f"http://127.0.0.1:{port}/taxii2/",
                auth=(USER, PASSWORD),
                headers={"Accept": TAXII},
                timeout=5,
            )
            if answer.status_code == 200:
                return server
        except requests.ConnectionError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("medallion did not answer within 120 s")


# -- the client, the same for both ---------------------------------------------------------------


def full_fetch(collection_url: str, page: int, expect: int) -> dict[str, float]:
    """The whole collection through taxii2client, page by page: seconds, objects/s, and the time
    of the first and of the last page."""
    collection = Collection(collection_url, user=USER, password=PASSWORD)
    started = time.perf_counter()
    times: list[float] = []
    count = 0
    last = started
    for envelope in as_pages(collection.get_objects, per_request=page):
        count += len(envelope.get("objects", []))
        now = time.perf_counter()
        times.append(now - last)
        last = now
    seconds = time.perf_counter() - started
    if count != expect:
        raise SystemExit(f"fetched {count} objects, expected {expect}")
    return {
        "seconds": seconds,
        "objects_per_s": count / seconds,
        "first_page_s": times[0],
        "last_page_s": times[-1],
        "pages": len(times),
    }


def get_by_id(collection_url: str, ids: list[str], count: int, clients: int) -> dict[str, float]:
    """GET one object by id ``count`` times over ``clients`` keep-alive connections at once
    (plain http.client: the client must cost less than the server it measures)."""
    parts = urlsplit(collection_url)
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    headers = {"Accept": TAXII, "Authorization": f"Basic {token}"}
    latencies: list[float] = []
    failures: list[str] = []

    def client(share: int, offset: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
        for n in range(share + 10):  # the first 10 warm up
            object_id = ids[(offset + n) % len(ids)]
            t0 = time.perf_counter()
            conn.request("GET", f"{parts.path}objects/{object_id}/", headers=headers)
            answer = conn.getresponse()
            body = answer.read()
            if n >= 10:
                latencies.append(time.perf_counter() - t0)
            if answer.status != 200 or object_id.encode() not in body:
                failures.append(f"{object_id}: HTTP {answer.status}")
        conn.close()

    threads = [
        threading.Thread(target=client, args=(count // clients, n * 7)) for n in range(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if failures:
        raise SystemExit(f"get-by-id failed: {failures[:3]}")
    latencies.sort()
    done = len(latencies) + 10 * clients
    return {
        "requests_per_s": done / seconds,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
    }


def measure(
    base: str, page: int, expect: int, ids: list[str], gets: int, repeat: int, clients: int
) -> dict[str, Any]:
    server = Server(f"{base}/taxii2/", user=USER, password=PASSWORD)
    root = server.default or server.api_roots[0]
    collection_url = root.collections[0].url
    fetches = [full_fetch(collection_url, page, expect) for _ in range(repeat)]
    best = max(fetches, key=lambda f: f["objects_per_s"])
    return {
        "objects_per_s": statistics.median(f["objects_per_s"] for f in fetches),
        "fetch": best,
        "get": get_by_id(collection_url, ids, gets, 1),
        "get_parallel": get_by_id(collection_url, ids, gets, clients) if clients > 1 else None,
    }


def tocsin_run(
    url: str | None, objects: list[dict[str, Any]], args: argparse.Namespace, repeat: int
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="tocsin-taxii-") as folder:
        database = url or f"sqlite:///{folder}/tocsin.db"
        started = time.perf_counter()
        load_tocsin(database, objects)
        loaded = time.perf_counter() - started
        ids = [o["id"] for o in objects[:: max(1, len(objects) // 500)]]
        with tocsin_serve({"TOCSIN_DATABASE_URL": database, "TOCSIN_DATA_DIR": folder}) as port:
            result = measure(
                f"http://127.0.0.1:{port}",
                args.page,
                len(objects),
                ids,
                args.gets,
                repeat,
                args.clients,
            )
        result["load_s"] = loaded
        return result


def line(name: str, r: dict[str, Any]) -> str:
    f, g = r["fetch"], r["get"]
    parallel = r.get("get_parallel")
    extra = (
        f"; {parallel['requests_per_s']:,.0f} req/s over several connections" if parallel else ""
    )
    return (
        f"{name:34} {r['objects_per_s']:>10,.0f} obj/s  (whole {f['seconds']:.2f} s, first page "
        f"{f['first_page_s'] * 1000:.0f} ms, last page {f['last_page_s'] * 1000:.0f} ms)  "
        f"get-by-id {g['requests_per_s']:>7,.0f} req/s (p50 {g['p50_ms']:.2f} ms, "
        f"p99 {g['p99_ms']:.2f} ms){extra}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--objects", type=int, default=5000)
    parser.add_argument("--large", type=int, default=500_000, help="0 to skip")
    parser.add_argument("--page", type=int, default=1000)
    parser.add_argument("--gets", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--clients", type=int, default=2, help="connections for get-by-id")
    parser.add_argument("--no-medallion", action="store_true")
    parser.add_argument("--database-url", help="an empty PostgreSQL database instead of SQLite")
    args = parser.parse_args()

    objects = generate(args.objects)
    print(f"{len(objects):,} STIX 2.1 objects, page size {args.page}, on 127.0.0.1", flush=True)
    ours = tocsin_run(args.database_url, objects, args, args.repeat)
    print(line(f"Tocsin, {len(objects):,} objects", ours), flush=True)
    if not args.no_medallion:
        ids = [o["id"] for o in objects[:: max(1, len(objects) // 50)]]
        with tempfile.TemporaryDirectory(prefix="medallion-") as folder:
            port = free_port()
            config, _ = medallion_files(Path(folder), f"http://127.0.0.1:{port}", objects)
            server = medallion_serve(config, port)
            try:
                # One client: two at once make medallion answer 500 at this size.
                # One connection: two at once make medallion answer 500 at this size.
                theirs = measure(
                    f"http://127.0.0.1:{port}",
                    args.page,
                    len(objects),
                    ids,
                    min(args.gets, 50),
                    1,
                    1,
                )
            finally:
                server.terminate()
                server.wait(timeout=30)
        print(line(f"medallion, {len(objects):,} objects", theirs), flush=True)
        print(
            f"ratio Tocsin / medallion: {ours['objects_per_s'] / theirs['objects_per_s']:,.0f}x "
            f"objects/s, {ours['get']['requests_per_s'] / theirs['get']['requests_per_s']:,.0f}x "
            "get-by-id",
            flush=True,
        )
    if args.large:
        many = generate(args.large)
        big = tocsin_run(args.database_url, many, args, 1)
        print(line(f"Tocsin, {len(many):,} objects", big) + f"  (loaded in {big['load_s']:.0f} s)")
    print("goals: >= 10,000 objects/s and >= 1,000 get-by-id/s at both sizes")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
