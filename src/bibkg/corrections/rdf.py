"""The corrections as RDF: one named graph, ``https://w3id.org/bibkg/graph/corrections``.

Each correction is a ``prov:Activity`` (and ``bibkg:Correction``) with its kind, status, reason,
evidence links (``rdfs:seeAlso``), for a Daily Papers link decision the preprint and the decision
(``bibkg:concernsPreprint``, ``bibkg:linkDecision``: the confirmed link itself points back with
``bibkg:confirmedBy``), the token that proposed it (``prov:wasAssociatedWith`` a
``prov:Agent``), when it was proposed, applied and reverted, and the persons and papers it
concerns.  Each authorship an applied correction moved gets a ``bibkg:Reassignment`` node saying
what was replaced (``bibkg:previousPerson``) by what (``bibkg:newPerson``), and the authorship
node itself points to the correction that set its person (``bibkg:personSetBy``).  These
triples live in this graph only, so the collection graphs stay exactly what the Anthology's data
(with the corrections' explicit ids) gives — the export round trip compares them.

The graph is written from the log at each apply and revert; ``bibkg:logSequence`` of
``https://w3id.org/bibkg/corrections`` says which log entry it reflects (a published snapshot
behind the log is brought up to date after a crash).
"""

from __future__ import annotations

from .. import iris
from .. import vocab as V
from ..mapping.terms import GraphText, QuadWriter, int_lit, lit
from .log import LogView
from .model import LinkDecision, Merge, Reassign, Split, Status, Verify

GRAPH = iris.BIBKG_ID + "graph/corrections"
DATASET = iris.BIBKG_ID + "corrections"
PROV = "http://www.w3.org/ns/prov#"
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"

Correction = V.BIBKG + "Correction"
Reassignment = V.BIBKG + "Reassignment"
kind = V.BIBKG + "correctionKind"
status = V.BIBKG + "correctionStatus"
concernsPerson = V.BIBKG + "concernsPerson"
concernsPaper = V.BIBKG + "concernsPaper"
concernsPreprint = V.BIBKG + "concernsPreprint"
linkDecision = V.BIBKG + "linkDecision"
reassignment = V.BIBKG + "reassignment"
contribution = V.BIBKG + "contribution"
previousPerson = V.BIBKG + "previousPerson"
newPerson = V.BIBKG + "newPerson"
personSetBy = V.BIBKG + "personSetBy"
reviewedBy = V.BIBKG + "reviewedBy"
proposedAt = V.BIBKG + "proposedAt"
revertedAt = V.BIBKG + "revertedAt"
logSequence = V.BIBKG + "logSequence"


correction_iri = iris.correction_iri


def agent_iri(name: str) -> str:
    return f"{iris.BIBKG_ID}agent/{name}"


def _time(value: str) -> str:
    return f'"{value}"^^<{XSD_DATETIME}>'


def corrections_graph(view: LogView) -> GraphText:
    out = QuadWriter(GRAPH)
    out.add(DATASET, logSequence, int_lit(view.last_seq))
    live: dict[str, str] = {}
    for entry in sorted(view.entries.values(), key=lambda e: (e.correction.created, e.correction.id)):
        if entry.status is Status.APPLIED and entry.effect is not None:
            for _key, _before, _after, node in entry.effect.moved:
                live[node] = entry.correction.id
    agents: set[str] = set()
    for entry in sorted(view.entries.values(), key=lambda e: (e.correction.created, e.correction.id)):
        c = entry.correction
        s = correction_iri(c.id)
        out.add_iri(s, V.TYPE, Correction)
        out.add_iri(s, V.TYPE, PROV + "Activity")
        out.add_text(s, kind, c.change.kind)
        out.add_text(s, status, entry.status.value)
        out.add_text(s, V.COMMENT, c.reason)
        out.add_iri(s, PROV + "wasAssociatedWith", agent_iri(c.proposer))
        agents.add(c.proposer)
        out.add(s, proposedAt, _time(c.created))
        for url in c.evidence:
            out.add_iri(s, V.RDFS + "seeAlso", iris.external_iri(url))
        for pid in sorted(c.persons()):
            out.add_iri(s, concernsPerson, iris.person_iri(pid))
        papers = set(c.papers())
        if entry.effect is not None:
            papers |= {k[0] for k, _, _, _ in entry.effect.moved if k[1] == "author"}
        for paper in sorted(papers):
            out.add_iri(s, concernsPaper, iris.paper_iri(paper))
        for arxiv_id in sorted(c.preprints()):
            out.add_iri(s, concernsPreprint, iris.preprint_iri(arxiv_id))
        if isinstance(c.change, LinkDecision):
            out.add_text(s, linkDecision, c.change.decision.value)
        for event in entry.events[1:]:
            if event["event"] in ("approved", "rejected", "applied"):
                out.add_iri(s, reviewedBy, agent_iri(event["by"]))
                agents.add(event["by"])
            if event["event"] == "applied":
                out.add(s, PROV + "endedAtTime", _time(event["at"]))
            if event["event"] == "reverted":
                out.add(s, revertedAt, _time(event["at"]))
        if entry.effect is not None:
            for index, (_key, before, after, target) in enumerate(entry.effect.moved, start=1):
                node = f"{s}#move-{index}"
                out.add_iri(s, reassignment, node)
                out.add_iri(node, V.TYPE, Reassignment)
                out.add_iri(node, contribution, target)
                out.add_iri(node, previousPerson, iris.person_iri(before))
                out.add_iri(node, newPerson, iris.person_iri(after))
    for target, cid in sorted(live.items()):
        out.add_iri(target, personSetBy, correction_iri(cid))
    for name in sorted(agents):
        out.add_iri(agent_iri(name), V.TYPE, PROV + "Agent")
        out.add(agent_iri(name), V.LABEL, lit(name))
    return out.finish()


__all__ = ["GRAPH", "Merge", "Reassign", "Split", "Verify", "correction_iri", "corrections_graph"]
