"""The read layer: the queries bibkg's own shells run (GraphQL resolvers, Linked Data pages,
BibTeX export, the Daily Papers linker), in ``queries/*.rq`` beside this file, loaded by
:class:`bibkg.sparql.catalog.QueryCatalog` as its internal queries: found by name from bibkg's code,
never listed or run by name through a public door.  More of the read layer will follow."""
