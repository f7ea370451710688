"""Getting the graph out: RDF dumps (:mod:`.dump`), loading them back (:mod:`.load`),
BibTeX and CSL-JSON (:mod:`.bibtex`)."""
