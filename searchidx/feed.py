"""The Atom feed of a search: its newest matching papers as Atom 1.0 entries (``/feed.atom``)."""

from __future__ import annotations

import datetime as _dt
import re
from xml.etree import ElementTree

from searchidx.results import SearchResult

__all__ = ["atom_feed"]

_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def atom_feed(result: SearchResult, base_url: str, query: str) -> bytes:
    """An Atom 1.0 feed of ``result``'s hits, newest first; ``query`` is the search's query string."""
    atom = "http://www.w3.org/2005/Atom"
    ElementTree.register_namespace("", atom)

    def add(parent: ElementTree.Element, tag: str, text: str | None = None, **attributes: str) -> ElementTree.Element:
        child = ElementTree.SubElement(parent, f"{{{atom}}}{tag}", attributes)
        if text is not None:
            child.text = _XML_UNSAFE.sub("", text)
        return child

    def stamp(day: _dt.date | None) -> str:
        return f"{day.isoformat()}T00:00:00Z" if day else "1970-01-01T00:00:00Z"

    feed = ElementTree.Element(f"{{{atom}}}feed")
    add(feed, "title", f"searchidx: {result.query}")
    add(feed, "id", f"{base_url}/feed.atom?{query}")
    add(feed, "link", rel="self", href=f"{base_url}/feed.atom?{query}")
    add(feed, "link", rel="alternate", type="text/html", href=f"{base_url}/?{query}")
    add(feed, "updated", stamp(max((h.dates[-1] for h in result.hits if h.dates), default=None)))
    add(add(feed, "author"), "name", "searchidx")
    add(feed, "generator", "searchidx")
    for hit in result.hits:
        entry = add(feed, "entry")
        add(entry, "title", hit.title)
        add(entry, "id", f"https://arxiv.org/abs/{hit.arxiv_id}")
        add(entry, "link", rel="alternate", type="text/html", href=f"{base_url}/paper/{hit.arxiv_id}")
        add(entry, "link", rel="related", href=f"https://arxiv.org/abs/{hit.arxiv_id}")
        add(entry, "updated", stamp(hit.dates[-1] if hit.dates else None))
        for name in hit.authors:
            add(add(entry, "author"), "name", name)
        sections = hit.paper.sections
        add(entry, "summary", "\n\n".join(f"{s.name}: {s.text}" for s in sections[:1]) or hit.title)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(feed, encoding="utf-8", xml_declaration=False)
