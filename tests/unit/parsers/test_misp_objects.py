"""MISP objects stay whole and galaxies name the malware and the threat actor, read from feeds
that PyMISP itself writes (``MISPEvent.to_feed`` and its feed generator), as a MISP community
would publish them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from pymisp import MISPEvent, MISPObject, MISPOrganisation
from pymisp.tools.feed import feed_meta_generator
from tests.unit.parsers.test_misp import run

from tocsin.pipeline.parsers.misp import feed_files
from tocsin.pipeline.stages.batch import Batch

MD5 = "d41d8cd98f00b204e9800998ecf8427e"
SHA1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709"
SHA256 = "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b"


def misp_object(template: str, *pairs: tuple[str, Any]) -> MISPObject:
    """An object of MISP's own template, its attributes added by relation as PyMISP does."""
    made = MISPObject(template)
    for relation, value in pairs:
        made.add_attribute(relation, value=value)
    return made


def feed(directory: Path, *objects: MISPObject, tags: tuple[str, ...] = ()) -> Batch:
    """One event holding the objects, written as a feed by PyMISP, then read back by Tocsin."""
    event = MISPEvent()
    event.info = "Objects written by PyMISP"
    event.date = "2024-05-01"
    org = MISPOrganisation()
    org.from_dict(name="EXAMPLE-CERT", uuid="5f0c2b3a-1111-4c2d-9e7f-000000000009")
    event.Orgc = org
    for made in objects:
        event.add_object(made)
    for tag in tags:
        event.add_tag(tag)
    path = directory / f"{event.uuid}.json"
    path.write_bytes(orjson.dumps(event.to_feed()))
    feed_meta_generator(directory)
    (listed,) = feed_files(directory)
    return run(listed)


def quarantined_types(batch: Batch) -> list[str]:
    return sorted(orjson.loads(q.raw)["type"] for q in batch.quarantined)


def test_a_file_object_is_one_event_with_its_name_and_hashes(tmp_path: Path) -> None:
    """A file object's filename and hashes make one event together; its size, which no field
    holds, is a quarantined row as before."""
    batch = feed(
        tmp_path,
        misp_object(
            "file",
            ("filename", "invoice.pdf.exe"),
            ("md5", MD5),
            ("sha1", SHA1),
            ("sha256", SHA256),
            ("size-in-bytes", 1234),
        ),
    )
    (event,) = batch.events
    assert event["extra.file_name"] == "invoice.pdf.exe"
    assert (event["malware.hash.md5"], event["malware.hash.sha1"]) == (MD5, SHA1)
    assert event["malware.hash.sha256"] == SHA256
    assert event["extra.misp.object"] == "file"
    assert quarantined_types(batch) == ["size-in-bytes"]


def test_an_ip_port_object_keeps_its_port(tmp_path: Path) -> None:
    """An ip-port object's address and destination port make one event: the port stays."""
    batch = feed(tmp_path, misp_object("ip-port", ("ip", "192.0.2.5"), ("dst-port", 8443)))
    (event,) = batch.events
    assert (event["source.ip"], event["source.port"]) == ("192.0.2.5", 8443)
    assert batch.quarantined == []


def test_a_domain_ip_object_pairs_its_domain_with_each_address(tmp_path: Path) -> None:
    """A domain with two addresses is two events, each with the domain (as domain|ip would)."""
    batch = feed(
        tmp_path,
        misp_object(
            "domain-ip",
            ("domain", "c2.example.com"),
            ("ip", "192.0.2.7"),
            ("ip", "192.0.2.8"),
            ("port", 443),
        ),
    )
    pairs = sorted((e["source.fqdn"], e["source.ip"], e["source.port"]) for e in batch.events)
    assert pairs == [("c2.example.com", "192.0.2.7", 443), ("c2.example.com", "192.0.2.8", 443)]


def test_a_url_object_is_one_event_its_parts_in_the_url(tmp_path: Path) -> None:
    """A url object is one event: the URL, its host and its port; the domain and host it lists
    are parts of the URL and make no event of their own."""
    batch = feed(
        tmp_path,
        misp_object(
            "url",
            ("url", "http://www.bad.example:8080/login"),
            ("domain", "bad.example"),
            ("host", "www.bad.example"),
            ("port", 8080),
        ),
    )
    (event,) = batch.events
    assert event["source.url"] == "http://www.bad.example:8080/login"
    assert (event["source.fqdn"], event["source.port"]) == ("www.bad.example", 8080)
    assert batch.quarantined == []


def test_an_email_object_is_its_sending_host_and_sender(tmp_path: Path) -> None:
    """An email object is one event of the sending host with the sender's address; the
    recipient and the subject go nowhere but the quarantine, as for loose attributes."""
    batch = feed(
        tmp_path,
        misp_object(
            "email",
            ("from", "billing@mailer.example.net"),
            ("ip-src", "192.0.2.6"),
            ("to", "someone@victim.example"),
            ("subject", "Your invoice"),
        ),
    )
    (event,) = batch.events
    assert (event["source.ip"], event["source.account"]) == (
        "192.0.2.6",
        "billing@mailer.example.net",
    )
    assert "someone@victim.example" not in orjson.dumps(event).decode()
    assert quarantined_types(batch) == ["email-dst", "email-subject"]


def test_an_object_of_another_template_is_read_attribute_by_attribute(tmp_path: Path) -> None:
    """An object whose template Tocsin does not combine gives one row per attribute, as before."""
    batch = feed(
        tmp_path,
        misp_object("domain-crawled", ("domain", "a.example"), ("url", "http://b.example/")),
    )
    assert sorted(e.get("source.url") or e["source.fqdn"] for e in batch.events) == [
        "a.example",
        "http://b.example/",
    ]


@pytest.mark.parametrize(
    ("tag", "field", "value"),
    [
        ('misp-galaxy:malpedia="Emotet"', "malware.name", "emotet"),
        ('misp-galaxy:mitre-malware="X-Agent - S0161"', "malware.name", "x-agent"),
        ('misp-galaxy:ransomware="LockBit"', "malware.name", "lockbit"),
        ('misp-galaxy:threat-actor="Sofacy"', "extra.threat_actor", "Sofacy"),
        ('misp-galaxy:mitre-intrusion-set="APT28 - G0007"', "extra.threat_actor", "APT28"),
    ],
)
def test_galaxy_clusters_name_the_malware_and_the_actor(
    tmp_path: Path, tag: str, field: str, value: str
) -> None:
    """A galaxy cluster on the event names the malware (malware galaxies) or the threat actor
    (actor galaxies), without MITRE's id, on each of its events."""
    batch = feed(tmp_path, misp_object("ip-port", ("ip", "192.0.2.5")), tags=(tag,))
    (event,) = batch.events
    assert event[field] == value


def test_a_tool_galaxy_names_no_malware(tmp_path: Path) -> None:
    """A cluster of a galaxy that names neither malware nor an actor (a tool) sets neither."""
    batch = feed(
        tmp_path,
        misp_object("ip-port", ("ip", "192.0.2.5")),
        tags=('misp-galaxy:mitre-tool="PsExec - S0029"',),
    )
    (event,) = batch.events
    assert "malware.name" not in event and "extra.threat_actor" not in event


def test_galaxies_of_an_export_are_read_like_their_tags(tmp_path: Path) -> None:
    """A MISP export's Galaxy list (clusters without tags) names the actor as the tag would."""
    body = {
        "uuid": "5f0c2b3a-1111-4c2d-9e7f-000000000001",
        "info": "Export",
        "date": "2024-05-01",
        "Attribute": [{"type": "ip-dst", "value": "192.0.2.5", "uuid": "5f0c2b3a-0000-4c2d"}],
        "Galaxy": [
            {
                "type": "threat-actor",
                "GalaxyCluster": [{"type": "threat-actor", "value": "Sofacy"}],
            }
        ],
    }
    path = tmp_path / "export.json"
    path.write_bytes(orjson.dumps({"Event": body}))
    (event,) = run(path).events
    assert event["extra.threat_actor"] == "Sofacy"
