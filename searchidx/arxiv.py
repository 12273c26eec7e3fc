"""arXiv identifiers: the one place that knows what an arXiv id looks like.

Two schemes exist: the current ``YYMM.NNNNN`` (``2406.11430``; four digits before 2015) and
the old ``archive[.CLASS]/YYMMNNN`` used until March 2007 (``hep-th/9901001``,
``math.GT/0309136``). Digest links, queries, ``similar`` and the API all read ids through
:func:`parse_arxiv_id` / :func:`arxiv_id_from_url`, so an id that works in one place works
in all of them. Ids are returned without their version and in arXiv's own spelling
(archive lower case, subject class upper case).
"""

from __future__ import annotations

import re
import zlib

__all__ = ["ID_PATTERN", "parse_arxiv_id", "arxiv_id_from_url", "arxiv_url", "id_order"]

#: One arXiv id without its version, in either scheme (group ``id``).
ID_PATTERN = r"(?P<id>\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[a-z]{2})?/\d{7})"
_ID = re.compile(ID_PATTERN, re.IGNORECASE)
_VERSION = r"(?:v\d+)?"
_URL = re.compile(
    rf"^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/{ID_PATTERN}{_VERSION}(?:\.pdf)?/?$", re.IGNORECASE
)
_TEXT = (
    re.compile(rf"^(?:arxiv:)?{ID_PATTERN}{_VERSION}$", re.IGNORECASE),
    re.compile(
        rf"^(?:https?://)?(?:www\.)?(?:arxiv\.org/(?:abs|pdf)|huggingface\.co/papers)/{ID_PATTERN}{_VERSION}"
        r"(?:\.pdf)?/?(?:[?#].*)?$",
        re.IGNORECASE,
    ),
)
#: Archives of old-style ids, in a fixed order that :func:`id_order` relies on.
_ARCHIVES = (
    "acc-phys adap-org alg-geom ao-sci astro-ph atom-ph bayes-an chao-dyn chem-ph cmp-lg comp-gas cond-mat "
    "cs dg-ga funct-an gr-qc hep-ex hep-lat hep-ph hep-th math math-ph mtrl-th nlin nucl-ex nucl-th "
    "patt-sol physics plasm-ph q-alg q-bio q-fin quant-ph solv-int stat supr-con"
).split()


def _canonical(found: str) -> str:
    if "/" not in found:
        return found
    archive, number = found.split("/")
    name, dot, subject = archive.partition(".")
    return f"{name.lower()}{dot}{subject.upper()}/{number}"


def parse_arxiv_id(text: str) -> str | None:
    """The arXiv id that ``text`` consists of: an id (``arXiv:`` prefix and version
    allowed) or an arXiv / Hugging Face paper URL; ``None`` for anything else."""
    stripped = text.strip()
    for pattern in _TEXT:
        match = pattern.match(stripped)
        if match:
            return _canonical(match["id"])
    return None


def arxiv_id_from_url(url: str) -> str | None:
    """The id of an ``arxiv.org/abs`` or ``/pdf`` link as digests write them, else ``None``."""
    match = _URL.match(url)
    return _canonical(match["id"]) if match else None


def arxiv_url(arxiv_id: str) -> str:
    """The abstract page of a paper."""
    return f"https://arxiv.org/abs/{arxiv_id}"


def id_order(arxiv_id: str) -> int:
    """A number below 2**32 that orders ids by submission month, then number (new ids
    after old ones); distinct for distinct ids of the known archives.

    Sorting by votes or date breaks ties with it, so the order depends on the ids alone,
    never on the order papers were indexed in.
    """
    if not _ID.fullmatch(arxiv_id):
        return 0  # not an arXiv id at all: ordered before every real one
    if "/" not in arxiv_id:
        yymm, number = arxiv_id.split(".")
        return _month(int(yymm[:2]) + 2000, int(yymm[2:])) * 100_000 + int(number)
    archive, digits = arxiv_id.split("/")
    name = archive.split(".")[0]
    code = _ARCHIVES.index(name) if name in _ARCHIVES else len(_ARCHIVES) + zlib.crc32(archive.encode()) % 50
    year = int(digits[:2])
    return _month(year + (1900 if year >= 91 else 2000), int(digits[2:4])) * 100_000 + code * 1000 + int(digits[4:])


def _month(year: int, month: int) -> int:
    """Months since January 1991, the first month of arXiv."""
    return max(0, (year - 1991) * 12 + month - 1)
