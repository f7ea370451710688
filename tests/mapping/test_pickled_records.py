"""Records kept in a snapshot's update state or sent back by mapping workers pickle by their fields."""

from __future__ import annotations

import pickle

from bibkg.anthology.names import Name
from bibkg.anthology.resolve import Warning
from bibkg.mapping.collection import VolumeFacts
from bibkg.read.records import PaperCard


def _again(value: object) -> object:
    return pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def test_every_field_survives_a_round_trip() -> None:
    name = _again(Name("Ἀριστοτέλης", "Σταγειρίτης", "greek"))
    assert isinstance(name, Name) and (name.first, name.last, name.script) == ("Ἀριστοτέλης", "Σταγειρίτης", "greek")
    assert _again(Name("", "Plato")) == Name(None, "Plato")  # an empty first name is still an absent one
    records = [
        Warning("ambiguous-name", "2024.acl-long.1", "two persons", "xml/2024.acl.xml", 12),
        Warning("dangling-colocated", "acl-2024", "no such event"),
        VolumeFacts("2024.acl-long", "2024.acl", 2024, ("acl",), ("2024.acl-long.1", "2024.acl-long.2")),
        PaperCard(
            "https://aclanthology.org/2024.acl-long.1/",
            "A title",
            "2024",
            None,
            None,
            None,
            (),
            (("https://aclanthology.org/people/a/", "A B"),),
        ),
    ]
    for record in records:
        assert _again(record) == record
    assert _again(records[2]).paper_ids == records[2].paper_ids  # VolumeFacts compares by every field too
