"""The SQLite FTS5 peer: one implementation for the relevance and the timing benchmarks.

FTS5 over (title, authors, body) with a built-in tokenizer (``unicode61`` or ``trigram``),
ranked by ``bm25()``. The query is the user's words, each quoted so no word is read as FTS
syntax, all required (FTS5's implicit AND); when that finds nothing, any word may match
(OR). A trigram index cannot match words under three characters, so those are dropped.

Run as a program it is the peer's child process of the timing benchmarks, which imports
nothing else (a cold query pays for SQLite, not for the benchmark)::

    python bench/kit/fts5.py build CORPUS DB     # parse CORPUS, write DB
    python bench/kit/fts5.py query DB QUERY      # print the top 10 hits (id, title, snippet, score) as JSON
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from collections.abc import Sequence

TYPE_CHECKING = False  # not typing's: importing typing would add to every cold query
if TYPE_CHECKING:
    from searchidx.records import Paper

#: The columns of a hit: what searchidx's hits carry (id, title, highlighted snippet, score).
HIT_COLUMNS = "arxiv_id, title, snippet(docs, 3, '[', ']', '...', 16), bm25(docs)"


class Fts5Peer:
    """A built FTS5 database and the peer's search over it."""

    def __init__(self, db: sqlite3.Connection, tokenizer: str = "unicode61", build_seconds: float = 0.0) -> None:
        self.name = f"fts5-{tokenizer}"
        self.build_seconds = build_seconds
        self._db = db
        self._min_len = 3 if tokenizer == "trigram" else 1

    @classmethod
    def build(cls, papers: Sequence[Paper], tokenizer: str = "unicode61", path: str = ":memory:") -> Fts5Peer:
        """Index ``papers``, in memory or, optimised as a database one would ship, in the file ``path``."""
        started = time.perf_counter()
        db = sqlite3.connect(path)
        db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5("
            f"arxiv_id UNINDEXED, title, authors, body, tokenize='{tokenizer}')"
        )
        db.executemany(
            "INSERT INTO docs VALUES (?, ?, ?, ?)",
            ((p.arxiv_id, p.title, ", ".join(p.authors), p.text) for p in papers),
        )
        db.commit()
        if path != ":memory:":
            db.execute("INSERT INTO docs(docs) VALUES ('optimize')")
            db.commit()
        return cls(db, tokenizer, time.perf_counter() - started)

    @classmethod
    def open(cls, path: str, tokenizer: str = "unicode61") -> Fts5Peer:
        """The peer over a database :meth:`build` wrote to ``path``."""
        return cls(sqlite3.connect(path), tokenizer)

    def close(self) -> None:
        self._db.close()

    def search(self, query: str, k: int, match: str = "all") -> list[str]:
        """The ids of the best ``k`` papers for ``query``, best first.

        ``match="any"`` skips the all-words attempt: any word may match.
        """
        return [row[0] for row in self._first_found(query, k, "arxiv_id", match)]

    def hits(self, query: str, k: int = 10) -> list[tuple[str, str, str, float]]:
        """The best ``k`` hits with title, highlighted snippet and score: a user's results."""
        return self._first_found(query, k, HIT_COLUMNS, "all")

    def _first_found(self, query: str, k: int, columns: str, match: str) -> list:  # type: ignore[type-arg]
        """Rows of all the words, else (or with ``match="any"`` only) of any word."""
        quoted = ['"' + w.replace('"', '""') + '"' for w in query.split() if len(w) >= self._min_len]
        operators = (" OR ",) if match == "any" or len(quoted) == 1 else (" AND ", " OR ")
        for operator in operators if quoted else ():
            rows = self._rows(operator.join(quoted), k, columns)
            if rows:
                return rows
        return []

    def _rows(self, expression: str, k: int, columns: str) -> list:  # type: ignore[type-arg]
        try:
            return self._db.execute(
                f"SELECT {columns} FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?", (expression, k)
            ).fetchall()
        except sqlite3.OperationalError:
            return []


def main(argv: list[str]) -> int:
    """``build CORPUS DB`` or ``query DB QUERY``: the peer's side of a timed child process."""
    if len(argv) == 3 and argv[0] == "build":
        from searchidx.parse import parse_paths

        Fts5Peer.build(parse_paths([argv[1]]).papers, path=argv[2]).close()
    elif len(argv) == 3 and argv[0] == "query":
        print(json.dumps(Fts5Peer.open(argv[1]).hits(argv[2]), ensure_ascii=False))
    else:
        print("usage: fts5.py build CORPUS DB | query DB QUERY", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
