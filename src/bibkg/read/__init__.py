"""The read layer: what every shell (GraphQL, the Linked Data pages, BibTeX and CSL JSON, the Daily
Papers linker) reads from the graph, and the typed records it hands them.

* ``queries/*.rq`` beside this file: the queries the shells run, loaded by
  :class:`bibkg.sparql.catalog.QueryCatalog` as its internal queries (found by name from bibkg's
  code, never listed or run by name through a public door);
* :mod:`~bibkg.read.runner`: :class:`~bibkg.read.runner.QueryRunner`, the one way to run them
  (named, with IRIs bound, in VALUES batches, off the event loop);
* :mod:`~bibkg.read.records`: the frozen records (paper cards, dated papers, person facts and
  names, contributions, coauthor links);
* :mod:`~bibkg.read.people`, :mod:`~bibkg.read.papers`: pure functions from one key's rows to
  its record (the GraphQL loaders shape each key once and cache the record);
* :mod:`~bibkg.read.listings`: paper listings, one contract with two sources (the snapshot's
  paper cards and the graph);
* :mod:`~bibkg.read.citations`: the records citations are made of;
* :mod:`~bibkg.read.threads`: the threads that run a listing's batches concurrently.
"""
