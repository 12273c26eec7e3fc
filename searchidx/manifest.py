"""The manifest: what an index generation was built from, for incremental builds.

``manifest.json`` in a generation records every digest file read (size and content hash)
and every paper indexed, by two fingerprints: of its whole record (dates and votes
included) and of the texts that were analysed. The next build parses every digest again
(cheap) and compares the papers' fingerprints: papers only added are appended to links of
the current generation's segments (nothing new: the links alone); when a paper changed or
went away every paper is indexed again, from its stored terms where its texts are
unchanged, so only papers whose texts changed are analysed again. No decision reads the
file records; they say what the generation was built from.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson

from searchidx.durable import write_durably
from searchidx.errors import InputError
from searchidx.fields import texts_to_analyze
from searchidx.files import read_limited
from searchidx.records import Paper

__all__ = ["MANIFEST_FILE", "Manifest", "PaperPrint", "scan_files", "path_key", "paper_print", "read_manifest", "write_manifest"]

MANIFEST_FILE = "manifest.json"


@dataclass(frozen=True, slots=True)
class PaperPrint:
    """Fingerprints of a paper: its whole record, and the texts analysis reads."""

    record: str
    texts: str


@dataclass(frozen=True, slots=True)
class Manifest:
    """Files (absolute path -> (size, content hash)) and papers (arXiv id -> fingerprints)."""

    files: dict[str, tuple[int, str]]
    papers: dict[str, PaperPrint]

    def to_json(self) -> bytes:
        """The stored form."""
        return orjson.dumps(
            {
                "files": self.files,
                "papers": {k: [v.record, v.texts] for k, v in self.papers.items()},
            }
        )

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        """The inverse of :meth:`to_json`; raises ``ValueError`` on anything else."""
        raw = orjson.loads(data)
        try:
            files = {str(k): (int(v[0]), str(v[1])) for k, v in raw["files"].items()}
            papers = {str(k): PaperPrint(str(v[0]), str(v[1])) for k, v in raw["papers"].items()}
        except (KeyError, TypeError, IndexError, AttributeError) as exc:
            raise ValueError(f"not a manifest: {exc}") from exc
        return cls(files, papers)


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def scan_files(files: Iterable[Path]) -> dict[str, tuple[int, str]]:
    """Size and content hash of each file, keyed by :func:`path_key` (a file the parser
    skips unread, unreadable or not a regular file or too big: size -1)."""
    out = {}
    for file in files:
        try:
            data = read_limited(file)
        except InputError:
            out[path_key(file)] = (-1, "")
            continue
        out[path_key(file)] = (len(data), _digest(data))
    return out


def path_key(path: Path) -> str:
    """The absolute path as JSON-safe text, one to one: a file name that is not UTF-8
    keeps its bytes as ``\\xNN`` escapes (and a backslash is doubled)."""
    raw = os.fsencode(os.path.abspath(path))
    return raw.replace(b"\\", b"\\\\").decode("utf-8", errors="backslashreplace")


def paper_print(paper: Paper) -> PaperPrint:
    """The fingerprints of ``paper``."""
    texts: Sequence[str] = texts_to_analyze(paper)
    return PaperPrint(
        record=_digest(orjson.dumps(paper.to_dict())),
        texts=_digest("\x00".join(texts).encode("utf-8", "surrogatepass") + b"\x00%d" % len(texts)),
    )


def read_manifest(generation: Path) -> Manifest | None:
    """The manifest of ``generation``, or ``None`` when it has none or it is unreadable."""
    try:
        return Manifest.from_json((generation / MANIFEST_FILE).read_bytes())
    except (OSError, ValueError):
        return None


def write_manifest(generation: Path, manifest: Manifest) -> None:
    """Store ``manifest`` in ``generation`` durably, as every file of a generation is (before it is published)."""
    write_durably(generation / MANIFEST_FILE, manifest.to_json())
