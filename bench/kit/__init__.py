"""What every benchmark shares: one corpus path, one set of peers, one timer.

- :mod:`kit.corpus`: where the real corpus is and the paper records every system indexes;
- :mod:`kit.fts5`: the SQLite FTS5 peer, for relevance and for timing (also runs as a child
  process that builds or queries a database);
- :mod:`kit.peers`: the systems compared on relevance: FTS5, plain BM25 and searchidx;
- :mod:`kit.timing`: child processes under GNU time, percentiles, the mixed timing queries.

Scripts in ``bench/`` put ``bench/`` on ``sys.path`` and import from here.
"""
