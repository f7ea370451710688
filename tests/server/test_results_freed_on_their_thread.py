"""A query result is freed on the thread that made it, as pyoxigraph requires.

rdflib's parser (the schema-query recognizer) left cycles of exceptions and frames that kept
the calling frames alive, results bound in them included; whichever thread's garbage
collection found the cycle then freed the result, and pyo3 reported "PyQuerySolutions is
unsendable, but is being dropped on another thread" (and leaked it): seen in CI over an
in-process server, whose store queries run on a thread pool."""

from __future__ import annotations

import gc
import threading

import pyoxigraph as ox

from bibkg.server.job import Job, run_job
from bibkg.store.local import LocalStore
from bibkg.store.oxigraph import OxigraphStore

SCHEMA_SHAPED = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o . ?x ?y ?z }",  # recognized as not one: Oxigraph answers
]


def test_no_result_outlives_its_thread(sample_store: LocalStore) -> None:
    store = OxigraphStore.open(sample_store)
    gc.collect()
    gc.disable()  # only reference counting frees now: what a cycle holds stays visible
    try:
        errors: list[object] = []
        for query in SCHEMA_SHAPED:
            thread = threading.Thread(target=lambda q=query: errors.append(run_job(store, Job(q)).error))
            thread.start()
            thread.join()
        assert errors == [None] * len(SCHEMA_SHAPED)
        alive = [o for o in gc.get_objects() if isinstance(o, ox.QuerySolutions)]
        assert alive == [], f"{len(alive)} query results outlived the thread that made them"
    finally:
        gc.enable()
        store.close()
