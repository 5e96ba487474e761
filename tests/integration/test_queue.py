"""The queue a page at a time, on SQLite and PostgreSQL: the total counts every open incident the
person may see, pages never overlap nor skip, each filter keeps what it names, the order is the
one asked for; and the bulk actions change each incident ticked through the same service calls,
refusing one without stopping the others."""

from __future__ import annotations

import pytest

from tests.desk import Team, make_team
from tocsin.cases.bulk import Bulk
from tocsin.errors import Forbidden, InvalidValue, NotFound
from tocsin.model.incident import Incident, Status
from tocsin.model.queue import QueueQuery
from tocsin.services.views import Views
from tocsin.store import Store


@pytest.fixture
def team(store: Store) -> Team:
    return make_team(store)


def opened(team: Team, n: int, **values: object) -> list[Incident]:
    analyst = team.people["analyst"]
    made = []
    for k in range(n):
        given = {"title": f"Incident {k}", "type": "phishing", "priority": "P3", **values}
        made.append(team.desk.create(analyst, **given))  # type: ignore[arg-type]
        team.clock.advance(1)
    return made


def refs(team: Team, who: str = "lead", **asked: str) -> list[str]:
    page = team.desk.page(team.people[who], QueueQuery.parse(asked))
    return [row.incident.reference for row in page.rows]


def test_pages_cover_every_open_incident_once_with_the_total(team: Team) -> None:
    """60 open incidents, 25 a page: three pages of 25, 25 and 10, none twice, the total 60 on
    each; a page past the end is empty; resolved and merged ones are not in the queue."""
    made = opened(team, 62)
    lead = team.people["lead"]
    team.desk.transition(lead, made[0].id, "resolved", "fixed")
    team.desk.merge(lead, made[1].id, made[2].id)
    seen: list[str] = []
    for number, size in ((1, 25), (2, 25), (3, 10)):
        page = team.desk.page(lead, QueueQuery(page=number, per_page=25))
        assert (page.total, page.pages, len(page.rows)) == (60, 3, size)
        assert (page.first, page.last) == ((number - 1) * 25 + 1, (number - 1) * 25 + size)
        seen += [row.incident.reference for row in page.rows]
    assert sorted(seen) == sorted(i.reference for i in made[2:])
    assert team.desk.page(lead, QueueQuery(page=4, per_page=25)).rows == []


def test_the_default_order_is_breached_first_then_the_nearest_deadline(team: Team) -> None:
    """A P4 made first, a P1 after: the P1's 15-minute target comes first; after 20 minutes it
    is breached and still first; a waiting incident (its clock paused) comes last."""
    p4 = opened(team, 1, priority="P4")[0]
    p1 = opened(team, 1, priority="P1")[0]
    p3 = opened(team, 1, priority="P3")[0]
    analyst = team.people["analyst"]
    team.desk.transition(analyst, p3.id, "acknowledged")
    team.desk.transition(analyst, p3.id, "waiting")
    assert refs(team) == [p1.reference, p4.reference, p3.reference]
    team.clock.advance(20 * 60)
    team.desk.check_sla()
    assert refs(team) == [p1.reference, p4.reference, p3.reference]
    assert refs(team, dir="desc")[0] == p3.reference
    assert refs(team, breached="yes") == [p1.reference]


def test_each_filter_keeps_what_it_names(team: Team) -> None:
    analyst, lead = team.people["analyst"], team.people["lead"]
    phish = opened(team, 1, constituent="Northwind Power", sector="energy")[0]
    ddos = opened(team, 1, type="ddos", priority="P1", tlp="GREEN", source="rule:ddos")[0]
    scan = opened(team, 1, type="scanner", constituent="North Sea Ports", source="report:R-1")[0]
    team.desk.assign(lead, ddos.id, analyst.user_id)
    team.desk.transition(analyst, scan.id, "acknowledged")
    assert refs(team, priority="p1") == [ddos.reference]
    assert refs(team, type="ddos") == [ddos.reference]
    assert refs(team, constituent="north", sort="reference") == [phish.reference, scan.reference]
    assert refs(team, constituent="NORTHWIND") == [phish.reference]
    assert refs(team, constituent="North%") == []  # a wildcard is a character like any other
    assert refs(team, sector="energy") == [phish.reference]
    assert refs(team, assignee=str(analyst.user_id)) == [ddos.reference]
    assert refs(team, "analyst", assignee="me") == [ddos.reference]
    assert refs(team, assignee="none", sort="reference") == [phish.reference, scan.reference]
    assert refs(team, status="acknowledged") == [scan.reference]
    assert refs(team, tlp="green") == [ddos.reference]
    assert refs(team, source="manual") == [phish.reference]
    assert refs(team, source="rule") == [ddos.reference]
    assert refs(team, source="report") == [scan.reference]
    assert refs(team, type="ddos", assignee="none") == []


def test_sorting_by_a_column_either_way(team: Team) -> None:
    made = [
        *opened(team, 1, constituent="bravo", priority="P2"),
        *opened(team, 1, constituent="Alpha", priority="P4"),
        *opened(team, 1, priority="P1"),
    ]
    a, b, c = (i.reference for i in made)
    assert refs(team, sort="constituent") == [b, a, c]  # any case; none last
    assert refs(team, sort="priority") == [c, a, b]
    assert refs(team, sort="priority", dir="desc") == [b, a, c]
    assert refs(team, sort="reference", dir="desc") == [c, b, a]
    assert refs(team, sort="created") == [a, b, c]


def test_a_wrong_value_is_refused_naming_its_field() -> None:
    for field, value in [
        ("priority", "P9"),
        ("type", "nonsense"),
        ("status", "closed"),  # the queue holds open incidents
        ("sort", "title; drop table incidents"),
        ("per_page", "1000"),
        ("page", "0"),
        ("assignee", "someone"),
        ("tlp", "PURPLE"),
    ]:
        with pytest.raises(InvalidValue, match=field):
            QueueQuery.parse({field: value})


def test_the_total_counts_only_what_the_person_may_see(team: Team, store: Store) -> None:
    """Another team's incidents and a TLP:RED one not assigned to the analyst are neither shown
    nor counted; a lead sees the TLP:RED one."""
    mine = opened(team, 2)
    red = opened(team, 1, tlp="RED")[0]
    with store.transaction() as conn:
        other = store.cases.add_incident(
            conn,
            {
                "reference": "TOC-2026-999999",
                "title": "Theirs",
                "type": "phishing",
                "priority": "P1",
                "tlp": "AMBER",
                "status": Status.NEW,
                "org_id": team.other_org_id,
                "created": team.clock.now,
                "waited": 0,
                "breached": frozenset(),
                "source": "manual",
                "details": {},
            },
        )
    analyst_page = team.desk.page(team.people["analyst"], QueueQuery())
    assert analyst_page.total == 2
    assert {r.incident.reference for r in analyst_page.rows} == {i.reference for i in mine}
    lead_page = team.desk.page(team.people["lead"], QueueQuery())
    assert lead_page.total == 3 and red.reference in {r.incident.reference for r in lead_page.rows}
    assert other.reference not in {r.incident.reference for r in lead_page.rows}
    assert team.desk.page(team.people["partner"], QueueQuery()).total == 0


# -- bulk actions --------------------------------------------------------------------------------


def test_bulk_assign_and_acknowledge_change_each_and_report_the_refused(team: Team) -> None:
    made = opened(team, 3)
    analyst, lead = team.people["analyst"], team.people["lead"]
    bulk = Bulk(team.desk)
    team.desk.transition(analyst, made[2].id, "acknowledged")
    done = bulk.acknowledge(analyst, [made[0].id, made[1].id, made[2].id])
    assert done.done == [made[0].reference, made[1].reference]
    assert [ref for ref, _ in done.refused] == [made[2].reference]
    assert "acknowledged" in done.refused[0][1]
    assigned = bulk.assign(lead, [str(i.id) for i in made], analyst.user_id)
    assert assigned.done == [i.reference for i in made] and assigned.refused == []
    assert {team.desk.get(lead, i.id).assignee_id for i in made} == {analyst.user_id}
    actions = [e.action for e in team.store.cases.audit_for("incident", made[0].reference)]
    assert actions.count("incident.transition") == 1 and actions.count("incident.assign") == 1


def test_bulk_close_needs_a_reason_and_says_it_on_each(team: Team) -> None:
    made = opened(team, 2)
    analyst = team.people["analyst"]
    bulk = Bulk(team.desk)
    with pytest.raises(InvalidValue, match="reason"):
        bulk.close(analyst, [i.id for i in made], "   ")
    closed = bulk.close(analyst, [i.id for i in made], "Duplicate of a provider's report")
    assert closed.done == [i.reference for i in made]
    for incident in made:
        assert team.desk.get(analyst, incident.id).status is Status.CLOSED
        lines = [x["text"] for x in team.store.cases.timeline(incident.id)]
        assert sum("Duplicate of a provider's report" in line for line in lines) == 2


def test_bulk_merge_is_planned_with_a_warning_then_runs(team: Team) -> None:
    a = opened(team, 1, constituent="National Parliament")[0]
    b = opened(team, 1, constituent="Northwind Power")[0]
    c = opened(team, 1, constituent="Northwind Power")[0]
    analyst = team.people["analyst"]
    bulk = Bulk(team.desk)
    plan = bulk.merge_plan(analyst, [a.id, b.id, c.id], b.id)
    assert plan.target.id == b.id and [s.id for s in plan.sources] == [a.id, c.id]
    assert any("different constituents" in w for w in plan.warnings)
    assert bulk.merge_plan(analyst, [b.id, c.id], c.id).warnings == []
    with pytest.raises(InvalidValue, match="into"):
        bulk.merge_plan(analyst, [a.id, b.id], c.id)
    with pytest.raises(InvalidValue, match="two"):
        bulk.merge_plan(analyst, [a.id], a.id)
    with pytest.raises(Forbidden):
        bulk.merge_plan(team.people["auditor"], [a.id, b.id], a.id)
    merged = bulk.merge(analyst, [a.id, b.id, c.id], b.id)
    assert merged.done == [a.reference, c.reference]
    assert team.desk.get(analyst, a.id).merged_into == b.id
    assert refs(team) == [b.reference]


def test_bulk_refuses_nothing_ticked_and_more_than_a_page(team: Team) -> None:
    bulk = Bulk(team.desk)
    with pytest.raises(InvalidValue, match="at least one"):
        bulk.acknowledge(team.people["analyst"], [])
    with pytest.raises(InvalidValue, match="at most 200"):
        bulk.acknowledge(team.people["analyst"], [str(n) for n in range(1, 202)])


# -- saved views ---------------------------------------------------------------------------------


def test_saved_views_are_each_person_s_own_checked_and_audited(team: Team) -> None:
    views = Views(team.store, now=team.clock)
    analyst, lead = team.people["analyst"], team.people["lead"]
    kept = views.save(
        analyst, "  P1 unassigned ", {"priority": "p1", "assignee": "none", "page": "3"}
    )
    assert (kept.name, kept.query) == ("P1 unassigned", "priority=P1&assignee=none")
    assert QueueQuery.parse(Views.params(kept)) == QueueQuery(priority="P1", assignee="none")
    again = views.save(analyst, "P1 unassigned", {"breached": "yes"})  # the same name: replaced
    assert again.id == kept.id and again.query == "breached=yes"
    assert [v.name for v in views.list(analyst)] == ["P1 unassigned"]
    assert views.list(lead) == []
    with pytest.raises(InvalidValue, match="priority"):
        views.save(analyst, "Wrong", {"priority": "P9"})
    with pytest.raises(InvalidValue, match="name"):
        views.save(analyst, "  ", {})
    with pytest.raises(NotFound):
        views.delete(lead, kept.id)  # not theirs
    with pytest.raises(Forbidden):
        views.save(team.people["partner"], "Mine", {})
    views.delete(analyst, kept.id)
    assert views.list(analyst) == []
    logged = [e.action for e in team.store.cases.audit_for("view", str(kept.id))]
    assert logged == ["view.save", "view.save", "view.delete"]
