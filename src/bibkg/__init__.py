"""bibkg: a knowledge graph of the ACL Anthology, with SPARQL and GraphQL."""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
