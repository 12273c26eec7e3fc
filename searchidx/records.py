"""Typed records passed between the stages of searchidx.

A digest is parsed into :class:`Paper` records (one per distinct arXiv id), each holding
its :class:`Section` texts. Problems met while parsing are :class:`ParseProblem` records,
not exceptions, so one broken entry never costs its neighbours. Records are frozen and
convert to and from plain JSON-ready dicts (``to_dict`` / ``from_dict``); dates are
``datetime.date`` in Python and ISO ``YYYY-MM-DD`` strings in JSON.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any

__all__ = ["Section", "Paper", "ParseProblem", "MAX_VOTES"]

#: The largest vote count believed; a digest line claiming more is a problem.
MAX_VOTES = 1_000_000_000


@dataclass(frozen=True, slots=True)
class Section:
    """One named part of a paper's Korean summary.

    ``name`` is the bullet's label as written ("What's New", "Limitations", ...) with the
    curly apostrophe folded to ``'``; plain bullets without a label form the section
    ``"summary"``.
    """

    name: str
    text: str


@dataclass(frozen=True, slots=True)
class Paper:
    """One paper of the collection, merged over every digest it appeared in.

    ``dates`` lists every digest date the paper appeared on, sorted; ``votes`` is the vote
    count of its latest appearance (``None`` where the digest has no vote line or reads
    ``-``); ``authors`` keeps source order with repeated names removed.
    """

    arxiv_id: str
    url: str
    title: str
    authors: tuple[str, ...] = ()
    votes: int | None = None
    dates: tuple[_dt.date, ...] = ()
    sections: tuple[Section, ...] = ()
    thumbnail: str | None = None
    video: str | None = None

    @property
    def date(self) -> _dt.date | None:
        """The latest date the paper appeared on, or ``None``."""
        return self.dates[-1] if self.dates else None

    @property
    def text(self) -> str:
        """All section texts joined by newlines: the paper's body."""
        return "\n".join(section.text for section in self.sections)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict, the shape described by ``schema/paper.schema.json``."""
        return {
            "arxiv_id": self.arxiv_id,
            "url": self.url,
            "title": self.title,
            "authors": list(self.authors),
            "votes": self.votes,
            "dates": [d.isoformat() for d in self.dates],
            "thumbnail": self.thumbnail,
            "video": self.video,
            "sections": [{"name": s.name, "text": s.text} for s in self.sections],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Paper:
        """The inverse of :meth:`to_dict`."""
        return cls(
            arxiv_id=data["arxiv_id"],
            url=data["url"],
            title=data["title"],
            authors=tuple(data.get("authors") or ()),
            votes=data.get("votes"),
            dates=tuple(_dt.date.fromisoformat(d) for d in data.get("dates") or ()),
            sections=tuple(Section(s["name"], s["text"]) for s in data.get("sections") or ()),
            thumbnail=data.get("thumbnail"),
            video=data.get("video"),
        )


@dataclass(frozen=True, slots=True)
class ParseProblem:
    """A part of a digest that could not be read, reported as ``path:line: reason``.

    ``line`` is 1-based; 0 means the problem concerns the whole file.
    """

    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.reason}"
