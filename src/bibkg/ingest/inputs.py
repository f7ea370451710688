"""The inputs of an ingest, read before any collection is mapped: the collection files of a data
directory, the people metadata with the corpus' variant names registered, the files' content
hashes, and the person entries of the applied corrections."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..anthology.people import PeopleMetadata, load_people
from ..anthology.resolve import register_variants
from ..anthology.xmlreader import read_collection
from ..errors import SourceError
from ..safeparse import check_size
from .state import Sources, resolution_fingerprint, scan_source

if TYPE_CHECKING:
    from ..corrections.effect import Overrides


def collection_files(datadir: Path) -> list[Path]:
    """The collection files of a data directory, in id order.

    Raises:
        SourceError: ``datadir`` has no ``xml/`` directory with collection files, or one of them
            is larger than the size limit (:func:`bibkg.safeparse.max_file_bytes`): checked here,
            before any file is read or any store touched.
    """
    xml_dir = datadir / "xml"
    files = sorted(xml_dir.glob("*.xml")) if xml_dir.is_dir() else []
    if not files:
        raise SourceError(datadir, None, "not an Anthology data directory: no xml/*.xml files")
    for path in files:
        check_size(path)
    return files


def load_people_for(datadir: Path, files: list[Path], *, hashes: bool = False) -> tuple[PeopleMetadata, Sources]:
    """People metadata of ``datadir`` with the corpus-dependent variant names registered, and
    (with ``hashes``) the content hash of every collection file (:mod:`bibkg.ingest.state`),
    from one read of each file, none of those this process read before unchanged since
    (:func:`~bibkg.ingest.state.scan_source`)."""
    people = load_people(datadir)
    digests: dict[str, str] = {}
    with_variants: list[int] = []
    for file_index, path in enumerate(files):
        scanned = scan_source(path)
        if hashes:
            digests[path.stem] = scanned.digest
        if scanned.has_variants:
            with_variants.append(file_index)
    register_variants(((i, read_collection(files[i])) for i in with_variants), people)
    file_ids = {i: path.stem for i, path in enumerate(files)}
    return people, Sources(digests, resolution_fingerprint(people, file_ids), str(datadir.resolve()))


def with_corrections(
    people: PeopleMetadata, sources: Sources, overrides: Overrides | None
) -> tuple[PeopleMetadata, Sources]:
    """The people metadata with the applied corrections' person entries, and the sources whose
    resolution fingerprint says which corrections were applied (``{data}+{corrections}``: an
    incremental ingest re-maps everything only when the data's part changed)."""
    if not overrides:
        return people, sources
    sources.resolution = f"{sources.resolution.partition('+')[0]}+{overrides.fingerprint()}"
    return overrides.people(people), sources
