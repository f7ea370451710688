"""The sources a coauthorship can come from (``sources`` of the ``coauthors`` fields).

In a module of its own, without imports from the entity modules: the argument's default is
read when ``person.py`` and ``query.py`` are loaded, before the entity modules' import cycle
has finished (see :mod:`bibkg.graphql.types.refs`).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import Annotated

import strawberry


@strawberry.enum(description="A source of coauthorship: what counts as writing together.")
class Source(Enum):
    ANTHOLOGY = strawberry.enum_value("anthology", description="Papers of the ACL Anthology.")
    PREPRINTS = strawberry.enum_value(
        "preprints", description="arXiv preprints (Hugging Face Daily Papers) the person is a linked author of."
    )


DEFAULT_SOURCES = (Source.ANTHOLOGY,)
"""The default of ``sources``: the Anthology alone (the answers the fields gave before preprints)."""

SourcesArgument = Annotated[
    Sequence[Source],  # a list in the schema; a Sequence here, so that the tuple DEFAULT_SOURCES is its default
    strawberry.argument(
        description="What counts as writing together: ANTHOLOGY (shared papers: `count`), PREPRINTS "
        "(shared linked preprints: `preprintCount`), or both. Every count counts the chosen sources only. "
        "A preprint counts within an event, venue or year when the paper it was published as is one of "
        "the person's papers there."
    ),
]
