"""The search benchmark: Whoosh index build (cold, after one edit), index size, query latency, and the static index.

python bench/search_bench.py [--n 10000] [--seed 1] [--queries 100] [--keep DIR]

The corpus comes from bench/corpus.py and is read with the project's own reader, as a build would. Query latency
is measured inside this process around xxgk.search.search() (process start excluded; every call opens the index,
as `build.py search` does once). The static index is timed as the build makes it (xxgk.search.static_index.static_index)
and as its files are written; bytes per query are what StaticReader, the Python twin of static/js/search.js,
fetches for the free-text queries of the mix (index and result files, not the page and its script).
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO)]

import corpus  # noqa: E402

from xxgk import content, search  # noqa: E402
from xxgk.config import load_config  # noqa: E402
from xxgk.model import Document  # noqa: E402
from xxgk.search import static_index  # noqa: E402

TARGETS = {"cold": "≤ 45 s", "update": "≤ 2 s", "median": "≤ 30 ms", "static": "≤ 15 s", "bytes": "≤ 300 KB"}
HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
ODD_BRACKETS = (("[", "]"), ("(", ")"), ("（", "）"), ("【", "】"), ("［", "］"), ("﹝", "﹞"))
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def cpu_seconds() -> float:
    """CPU time used so far by this process and its finished children (index workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(function, *args, **kwargs) -> tuple[object, float, float]:
    """function's result, wall seconds and CPU seconds."""
    wall, cpu = time.perf_counter(), cpu_seconds()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - wall, cpu_seconds() - cpu


def read_corpus(root: Path, n: int, seed: int) -> list[Document]:
    """Generate the corpus and read it back with the project's reader."""
    corpus.generate(root, n, seed)
    documents, problems = content.read_all(load_config(root / "config.yaml"))
    errors = [p for p in problems if p.is_error]
    if errors:
        sys.exit(f"the generated corpus has errors, e.g. {errors[0]}")
    return documents


def edited(documents: list[Document], rng: random.Random) -> list[Document]:
    """The documents with one sentence appended to one of them."""
    k = rng.randrange(len(documents))
    changed = list(documents)
    changed[k] = replace(documents[k], body_text=documents[k].body_text + "\n本文件自印发之日起施行。")
    return changed


def words(rng: random.Random, documents: list[Document], count: int) -> list[str]:
    """Free-text queries of 1–3 words (2–4 Han characters each) drawn from titles and bodies."""
    queries = []
    for _ in range(count):
        doc = rng.choice(documents)
        runs = HAN_RUN.findall(doc.title + "\n" + doc.body_text)
        picked = []
        for run in rng.sample(runs, min(len(runs), rng.randint(1, 3))):
            size = min(len(run), rng.randint(2, 4))
            start = rng.randrange(len(run) - size + 1)
            picked.append(run[start : start + size])
        queries.append(" ".join(picked))
    return queries


def odd_doc_no(rng: random.Random, doc_no: str) -> str:
    """A 文号 as a hurried archivist types it: another bracket, sometimes full-width digits."""
    left, right = rng.choice(ODD_BRACKETS)
    typed = doc_no.replace("〔", left).replace("〕", right)
    return typed.translate(FULL_WIDTH) if rng.random() < 0.3 else typed


def mixed_queries(rng: random.Random, documents: list[Document], count: int) -> list[tuple[str, str]]:
    """(kind, query): 40% free text, 20% index numbers, 15% 文号, 15% publisher filters, 10% date ranges."""
    numbered = [d for d in documents if d.doc_no]
    shares = {"text": 0.40, "index_no": 0.20, "doc_no": 0.15, "publisher": 0.15, "date": 0.10}
    sizes = {kind: round(count * share) for kind, share in shares.items()}
    queries = [("text", q) for q in words(rng, documents, sizes["text"])]
    for i in range(sizes["index_no"]):
        index_no = rng.choice(documents).index_no
        queries.append(("index_no", index_no if i % 2 else f"index_no:{index_no}"))
    for i in range(sizes["doc_no"]):
        typed = odd_doc_no(rng, rng.choice(numbered).doc_no)
        queries.append(("doc_no", typed if i % 2 else f"doc_no:{typed}"))
    for _ in range(sizes["publisher"]):
        doc = rng.choice(documents)
        queries.append(("publisher", f"publisher:{doc.publisher[3:6]} {words(rng, [doc], 1)[0].split()[0]}"))
    for _ in range(sizes["date"]):
        year, month = rng.randint(corpus.FIRST_YEAR, corpus.LAST_YEAR), rng.randint(1, 11)
        queries.append(("date", f"published:[{year}-{month:02d}-01 TO {year}-{month + 1:02d}-15]"))
    rng.shuffle(queries)
    return queries[:count]


def latencies(index_dir: Path, queries: list[tuple[str, str]]) -> dict[str, list[float]]:
    """Milliseconds per query, by kind and overall ("all")."""
    search.search(index_dir, "信息公开")  # imports and the first file-system touch are not what we measure
    by_kind: dict[str, list[float]] = {"all": []}
    for kind, query in queries:
        _, wall, _ = timed(search.search, index_dir, query)
        by_kind.setdefault(kind, []).append(wall * 1000)
        by_kind["all"].append(wall * 1000)
    return by_kind


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def index_size_mb(index_dir: Path) -> float:
    return sum(f.stat().st_size for f in index_dir.rglob("*") if f.is_file()) / 1e6


def write_files(root: Path, files: list[tuple[str, bytes]]) -> None:
    """Write the static index's files under root, as a build writes them into the site (each folder made once)."""
    made: set[Path] = set()
    for path, data in files:
        target = root / path
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_bytes(data)


def static_figures(root: Path, documents: list[Document], queries: list[tuple[str, str]]) -> dict:
    """Build and write the static index; the seconds of each, its files and bytes, and the bytes each free-text
    query fetches (with a first page of results)."""
    files, build_s, build_cpu = timed(static_index.static_index, documents)
    _, write_s, _ = timed(write_files, root / "site", files)
    table = dict(files)
    fetched = []
    for kind, query in queries:
        if kind == "text":
            reader = static_index.StaticReader(table)
            reader.show(reader.search(query))
            fetched.append(sum(len(table[path]) for path in reader.fetched) / 1024)
    return {
        "build": build_s,
        "cpu": build_cpu,
        "write": write_s,
        "files": len(files),
        "mb": sum(len(data) for data in table.values()) / 1e6,
        "kb": fetched,
    }


def report(cold, update, noop, size: float, by_kind: dict[str, list[float]], static: dict) -> None:
    """Print the figures beside the issue's targets."""
    (stats, wall, cpu), (ustats, uwall, _), (_, nwall, _) = cold, update, noop
    print(f"documents indexed           {stats.added}")
    print(f"cold index build            {wall:7.1f} s   (CPU {cpu:.1f} s)        target {TARGETS['cold']}")
    print(
        f"update after one edit       {uwall:7.2f} s   (updated {ustats.updated}, unchanged {ustats.unchanged})"
        f"   target {TARGETS['update']}"
    )
    print(f"update with nothing changed {nwall:7.2f} s")
    print(f"index size on disk          {size:7.1f} MB")
    everything = by_kind["all"]
    print(
        f"search latency, {len(everything)} mixed queries: median {statistics.median(everything):.1f} ms, "
        f"p95 {p95(everything):.1f} ms   target median {TARGETS['median']}"
    )
    for kind, values in sorted(by_kind.items()):
        if kind != "all":
            print(
                f"  {kind:10s} {len(values):3d} queries  median {statistics.median(values):7.1f} ms  "
                f"p95 {p95(values):7.1f} ms"
            )
    print(
        f"static index build          {static['build']:7.1f} s   (CPU {static['cpu']:.1f} s) + writing "
        f"{static['files']} files, {static['mb']:.1f} MB: {static['write']:.1f} s   target {TARGETS['static']}"
    )
    kb = static["kb"]
    print(
        f"static bytes per query      median {statistics.median(kb):.1f} KB, max {max(kb):.1f} KB "
        f"over {len(kb)} free-text queries   target {TARGETS['bytes']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="documents in the corpus (default 10000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="xxgk-search-bench-"))
    try:
        documents, read_s, _ = timed(read_corpus, root, args.n, args.seed)
        print(f"corpus: {len(documents)} documents generated and read in {read_s:.1f} s (not part of the figures)")
        index_dir, rng = root / "search-index", random.Random(args.seed)
        cold = timed(search.update_index, index_dir, documents, full=True)
        changed = edited(documents, rng)
        update = timed(search.update_index, index_dir, changed)
        noop = timed(search.update_index, index_dir, changed)
        queries = mixed_queries(rng, documents, args.queries)
        by_kind = latencies(index_dir, queries)
        static = static_figures(root, documents, queries)
        report(cold, update, noop, index_size_mb(index_dir), by_kind, static)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
