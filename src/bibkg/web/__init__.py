"""Linked Data entity pages, BibTeX and dump routes (see :mod:`bibkg.web.routes`)."""
