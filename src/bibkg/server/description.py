"""The SPARQL 1.1 Service Description of ``/sparql`` and the VoID description of the dataset."""

from __future__ import annotations

import pyoxigraph as ox

from .. import vocab as V
from ..mapping.stats import DATASET_IRI, LICENSE
from ..sparql.catalog import default_catalog
from ..sparql.negotiation import GRAPH_FORMATS, TABULAR_FORMATS

SD = V.SD
FORMATS_NS = "http://www.w3.org/ns/formats/"
_RESULT_FORMAT_IRIS = {
    "json": "SPARQL_Results_JSON",
    "xml": "SPARQL_Results_XML",
    "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV",
    "turtle": "Turtle",
    "ntriples": "N-Triples",
    "jsonld": "JSON-LD",
    "rdfxml": "RDF_XML",
}
PREFIXES = {
    "sd": SD,
    "void": V.VOID,
    "rdfs": V.RDFS,
    "dcterms": V.DCTERMS,
    "bibkg": V.BIBKG,
    "xsd": V.XSD,
    "formats": FORMATS_NS,
}


def _nn(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_nn(V.XSD_INTEGER))


def service_description(
    endpoint: str, *, base_iri: str, void_url: str, graphs: list[str] | None, triples: int | None
) -> list[ox.Triple]:
    """Triples describing the endpoint at ``endpoint`` (SPARQL 1.1 Service Description)."""
    s = _nn(endpoint)
    t = ox.Triple
    out = [
        t(s, _nn(V.TYPE), _nn(SD + "Service")),
        t(s, _nn(SD + "endpoint"), s),
        t(s, _nn(SD + "supportedLanguage"), _nn(SD + "SPARQL11Query")),
        t(s, _nn(SD + "feature"), _nn(SD + "UnionDefaultGraph")),
        t(s, _nn(V.LABEL), ox.Literal("bibkg SPARQL endpoint (read-only)")),
        t(
            s,
            _nn(V.COMMENT),
            ox.Literal(
                "SPARQL 1.1 Query over the ACL Anthology knowledge graph. The default graph is the union of "
                f"all named graphs. Relative IRIs in queries resolve against {base_iri}. Updates are refused."
            ),
        ),
    ]
    for f in TABULAR_FORMATS + GRAPH_FORMATS:
        out.append(t(s, _nn(SD + "resultFormat"), _nn(FORMATS_NS + _RESULT_FORMAT_IRIS[f.name])))
    dataset = _nn(void_url + "#dataset")
    out.append(t(s, _nn(SD + "defaultDataset"), dataset))
    out.append(t(dataset, _nn(V.TYPE), _nn(SD + "Dataset")))
    out.append(t(dataset, _nn(V.DCTERMS + "source"), _nn(void_url)))
    default_graph = ox.BlankNode("defaultGraph")
    out.append(t(dataset, _nn(SD + "defaultGraph"), default_graph))
    out.append(t(default_graph, _nn(V.TYPE), _nn(SD + "Graph")))
    if triples is not None:
        out.append(t(default_graph, _nn(V.VOID + "triples"), _int(triples)))
    for i, graph in enumerate(graphs or ()):
        node = ox.BlankNode(f"g{i}")
        out.append(t(dataset, _nn(SD + "namedGraph"), node))
        out.append(t(node, _nn(V.TYPE), _nn(SD + "NamedGraph")))
        out.append(t(node, _nn(SD + "name"), _nn(graph)))
    return [x for x in out if x is not None]


VOID_QUERY = default_catalog()["void-description"].text
"""The dataset's VoID description as precomputed at ingest (constant text, no parameters:
``read/queries/void-description.rq``)."""

GRAPHS_QUERIES = (default_catalog()["void-graphs"].text, default_catalog()["void-graphs-with-triples"].text)
"""The named graphs, for the service description: ``read/queries/void-graphs.rq``, else (no graph
found: Virtuoso binds none for an empty group) ``void-graphs-with-triples.rq``."""


def void_extra(endpoint: str, void_url: str) -> list[ox.Triple]:
    """What only the server knows: where its SPARQL endpoint and VoID document are."""
    d = _nn(DATASET_IRI)
    return [
        ox.Triple(d, _nn(V.VOID + "sparqlEndpoint"), _nn(endpoint)),
        ox.Triple(_nn(void_url), _nn(V.TYPE), _nn(V.VOID + "DatasetDescription")),
        ox.Triple(_nn(void_url), _nn("http://xmlns.com/foaf/0.1/primaryTopic"), d),
        ox.Triple(d, _nn(V.DCTERMS + "license"), _nn(LICENSE)),
    ]
