"""The timer of the performance benchmarks: child processes, percentiles, the mixed queries.

Every measured build runs in its own child process, under GNU time for its peak memory
(max RSS), so nothing is shared with the benchmark process.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kit.corpus import ROOT

PYTHON = sys.executable
CONSOLE_SCRIPT = str(Path(PYTHON).with_name("searchidx"))
TIME = "/usr/bin/time"
#: The FTS5 peer's program (``build CORPUS DB`` / ``query DB QUERY``), for child processes.
FTS5_PROGRAM = str(Path(__file__).with_name("fts5.py"))

#: Mixed queries both benchmarks time: Korean and English words, phrases, mixed script,
#: field syntax; each benchmark adds the one or two queries that suit its collection.
MIXED_QUERIES = (
    "양자화",
    "강화학습",
    "멀티모달",
    "에이전트",
    "벤치마크",
    "토크나이저",
    "diffusion",
    "hallucination",
    "LoRA",
    "GPT-4o",
    "retrieval augmented generation",
    "mixture of experts",
    "speculative decoding",
    '"preference optimization"',
    'author:"Yu Zhao"',
    "KV 캐시",
    "비디오 생성",
    "추론 속도",
    "contrastive learning 이미지",
)


@dataclass(frozen=True)
class ChildRun:
    """One child process: wall seconds, CPU seconds (user + system), peak RSS in MB, exit status, output."""

    seconds: float
    cpu_seconds: float
    max_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


def run_child(argv: Sequence[str], env: dict[str, str] | None = None) -> ChildRun:
    """Run ``argv`` to completion: its wall and CPU time, its own peak RSS, exit status and output.

    The peak comes from GNU time: Linux keeps a process's peak RSS across ``exec``, so a
    child forked straight from a large benchmark process would report the parent's size.
    """
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        command = [TIME, "-f", "%M %U %S", "-o", rss.name, *argv] if os.path.exists(TIME) else list(argv)
        started = time.perf_counter()
        proc = subprocess.run(command, capture_output=True, env={**os.environ, **(env or {})})
        seconds = time.perf_counter() - started
        text = Path(rss.name).read_text().strip().splitlines()
    fields = text[-1].split() if text else []
    max_rss, cpu = (float(fields[0]) / 1024, float(fields[1]) + float(fields[2])) if len(fields) == 3 else (0.0, 0.0)
    stdout, stderr = proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")
    return ChildRun(seconds, cpu, max_rss, proc.returncode, stdout, stderr)


def warm_seconds(search: Callable[[str], object], queries: Sequence[str], rounds: int = 10) -> list[float]:
    """Seconds per ``search(query)`` in this process, ``rounds`` times over ``queries``, after
    one untimed warm-up round."""
    for query in queries:
        search(query)
    times = []
    for _ in range(rounds):
        for query in queries:
            started = time.perf_counter()
            search(query)
            times.append(time.perf_counter() - started)
    return times


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-quantile (0..1) by linear interpolation."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    pos = (len(ordered) - 1) * q
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def summary_ms(seconds: Sequence[float]) -> dict[str, float]:
    """Median, p95, p99 and max of durations, in milliseconds."""
    ms = [s * 1000 for s in seconds]
    return {
        "median": round(statistics.median(ms), 2),
        "p95": round(percentile(ms, 0.95), 2),
        "p99": round(percentile(ms, 0.99), 2),
        "max": round(max(ms), 2),
    }


def dir_bytes(path: Path) -> int:
    """Total size of the regular files under ``path`` (hard links counted once)."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for file in path.rglob("*"):
        if file.is_file():
            st = file.stat()
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                total += st.st_size
    return total


def precompile() -> None:
    """Byte-compile searchidx, as installing a package does.

    An editable checkout run with ``PYTHONDONTWRITEBYTECODE`` would otherwise compile every
    module again in each new process, which is not what an installed command pays.
    """
    import compileall

    compileall.compile_dir(str(ROOT / "searchidx"), quiet=1)


def cold_runs(command: Callable[[str], Sequence[str]], queries: Sequence[str], runs: int) -> dict[str, tuple[float, float]]:
    """Per query: the median wall seconds and the peak RSS (MB) of ``command(query)`` run
    ``runs`` times, each a new process."""
    per_query = {}
    for query in queries:
        times, rss = [], []
        for _ in range(runs):
            run = run_child(command(query))
            if run.returncode != 0:
                raise SystemExit(f"query {query!r} failed: {run.stderr}")
            times.append(run.seconds)
            rss.append(run.max_rss_mb)
        per_query[query] = (statistics.median(times), max(rss))
    return per_query


def cpu_model() -> str:
    """The processor's name, as /proc/cpuinfo gives it (or what :mod:`platform` knows)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def machine() -> dict[str, object]:
    """What the numbers were measured on."""
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
