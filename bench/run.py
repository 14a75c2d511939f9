"""The benchmark: build synthetic corpora of N documents cold and after a one-line edit, optionally beside Pelican.

python bench/run.py [--sizes 1000,10000] [--pelican] [--keep DIR] [--seed S]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
import pelican_corpus  # noqa: E402

SEARCH_SHARE = re.compile(r"search index: ([0-9.]+) s")
EDIT_LINE = "\n本文件自印发之日起施行，由发布机构负责解释。\n"


@dataclass(frozen=True, slots=True)
class Run:
    """One timed child process: wall seconds, its own peak RSS in MB, exit status and output."""

    wall: float
    rss_mb: float
    returncode: int
    stdout: str
    stderr: str


@dataclass(frozen=True, slots=True)
class Result:
    """The measurements for one corpus size; None where not measured."""

    n: int
    docs: int
    cold: Run | None
    rebuild: Run | None
    search_s: float | None
    pelican_cold: Run | None = None
    pelican_rebuild: Run | None = None


def timed(cmd: list[str], cwd: Path) -> Run:
    """Run cmd, timing it with perf_counter and reading that child's peak RSS from os.wait4."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped: stop Popen from waiting again
        out.seek(0)
        err.seek(0)
        return Run(wall, usage.ru_maxrss / 1024, proc.returncode,
                   out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))


def progress(message: str) -> None:
    """Tell the person waiting what is running now."""
    print(message, file=sys.stderr, flush=True)


def edit_one(content: Path) -> Path:
    """Append one line to the body of one document (the middle one in path order) and return its path."""
    files = sorted(content.rglob("*.md"))
    target = files[len(files) // 2]
    with target.open("a", encoding="utf-8") as handle:
        handle.write(EDIT_LINE)
    return target


def report_failure(what: str, run: Run) -> None:
    """Show the end of a failed build's output."""
    progress(f"  {what} failed with exit status {run.returncode}:")
    for line in (run.stderr or run.stdout).strip().splitlines()[-15:]:
        progress(f"    {line}")


def search_share(run: Run) -> float | None:
    """The search index's share of the build as the build printed it, if it did."""
    match = SEARCH_SHARE.search(run.stdout) or SEARCH_SHARE.search(run.stderr)
    return float(match.group(1)) if match else None


def bench_ours(root: Path, n: int, seed: int) -> Result:
    """Generate the corpus, build it cold, edit one document, build again."""
    progress(f"N={n}: generating corpus in {root}")
    corpus.generate(root, n, seed)
    os.sync()  # the corpus is on disk before the clock starts, as in a checkout
    docs = sum(1 for _ in (root / "content").rglob("*.md"))
    shutil.rmtree(root / "site", ignore_errors=True)
    command = [sys.executable, "build.py", "build", "--config", str(root / "config.yaml")]
    progress(f"N={n}: build (cold)")
    cold = timed(command, REPO)
    if cold.returncode != 0:
        report_failure("cold build", cold)
        return Result(n, docs, None, None, None)
    edit_one(root / "content")
    progress(f"N={n}: build after a one-line edit")
    rebuild = timed(command, REPO)
    if rebuild.returncode != 0:
        report_failure("rebuild", rebuild)
    return Result(n, docs, cold, rebuild if rebuild.returncode == 0 else None, search_share(cold))


def pelican_version() -> str | None:
    """Pelican's version when `python -m pelican` works in this interpreter, else None."""
    probe = subprocess.run([sys.executable, "-m", "pelican", "--version"], capture_output=True, text=True)
    if probe.returncode != 0:
        return None
    return probe.stdout.strip() or probe.stderr.strip()


def bench_pelican(root: Path, n: int, seed: int) -> tuple[Run | None, Run | None]:
    """Generate the Pelican twin, build it cold (writing its content cache), edit one article, build again."""
    progress(f"N={n}: generating the Pelican twin in {root}")
    pelican_corpus.generate(root, n, seed, cache=True)
    os.sync()
    for folder in ("out", "cache"):
        shutil.rmtree(root / folder, ignore_errors=True)
    command = [sys.executable, "-m", "pelican", "content", "-o", "out", "-s", "pelicanconf.py"]
    progress(f"N={n}: pelican (cold)")
    cold = timed(command, root)
    if cold.returncode != 0:
        report_failure("pelican", cold)
        return None, None
    edit_one(root / "content")
    progress(f"N={n}: pelican after a one-line edit (content cache loaded)")
    rebuild = timed(command, root)
    return cold, rebuild if rebuild.returncode == 0 else None


def measure(base: Path, n: int, seed: int, with_pelican: bool) -> Result:
    """All measurements for one size, in folders under base: Pelican first, whose rebuild deletes no files."""
    # On a file system without a journal (ext4 on this VM), creating files is several times slower for minutes
    # after many were deleted: the allocator steps over recently freed inodes. Our rebuild deletes the old
    # site, so it goes last, and no corpus is deleted before every size is measured.
    cold, rebuild = bench_pelican(base / "pelican", n, seed) if with_pelican else (None, None)
    result = bench_ours(base / "xxgk", n, seed)
    return Result(result.n, result.docs, result.cold, result.rebuild, result.search_s, cold, rebuild)


def rss(run: Run | None) -> float | None:
    """A run's peak RSS in MB, or None."""
    return run.rss_mb if run else None


def timing(run: Run | None) -> str:
    """A measured wall time, or "failed" for a run that did not succeed."""
    return "failed" if run is None else f"{run.wall:.2f}"


def cell(value: float | None, digits: int = 2) -> str:
    """A table cell: the number, or n/a."""
    return "n/a" if value is None else f"{value:.{digits}f}"


def ratio(theirs: Run | None, ours: float | None) -> str:
    """Pelican's time over ours in seconds (above 1: ours is faster)."""
    return f"{theirs.wall / ours:.2f}x" if theirs and ours else "n/a"


def without_search(r: Result) -> float | None:
    """The cold build's wall time less its search indexes: what Pelican, which has no search, is compared with."""
    return r.cold.wall - r.search_s if r.cold and r.search_s is not None else None


def row(r: Result, with_pelican: bool) -> list[str]:
    """One line of the results table."""
    cells = [str(r.n), str(r.docs), timing(r.cold), cell(r.docs / r.cold.wall if r.cold else None, 0),
             cell(rss(r.cold), 0), timing(r.rebuild), cell(r.search_s), cell(without_search(r))]
    if with_pelican:
        cells += [timing(r.pelican_cold), timing(r.pelican_rebuild),
                  cell(rss(r.pelican_cold), 0),
                  ratio(r.pelican_cold, r.cold and r.cold.wall), ratio(r.pelican_cold, without_search(r)),
                  ratio(r.pelican_rebuild, r.rebuild and r.rebuild.wall)]
    return cells


def print_table(results: list[Result], with_pelican: bool) -> None:
    """Print the results as an aligned plain-text table."""
    head = ["N", "docs", "cold s", "docs/s", "peak RSS MB", "rebuild s", "search index s", "cold without search s"]
    if with_pelican:
        head += ["pelican cold s", "pelican rebuild s", "pelican RSS MB", "cold ratio", "ratio without search",
                 "rebuild ratio"]
    lines = [head] + [row(r, with_pelican) for r in results]
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    for k, line in enumerate(lines):
        print("  ".join(text.rjust(width) for text, width in zip(line, widths, strict=True)))
        if k == 0:
            print("  ".join("-" * width for width in widths))


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description="Benchmark build.py on synthetic disclosure corpora.")
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated document counts (default 1000,10000)")
    parser.add_argument("--pelican", action="store_true", help="also time Pelican on the same documents")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="generate under DIR and keep the corpora")
    parser.add_argument("--seed", type=int, default=1, help="corpus generator seed (default 1)")
    args = parser.parse_args(argv)
    try:
        args.sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes must be integers separated by commas, not {args.sizes!r}")
    if not args.sizes or min(args.sizes) < 1:
        parser.error("--sizes needs at least one positive count")
    return args


def pelican_wanted(requested: bool) -> bool:
    """Whether to run Pelican: requested and installed (else say how to install it)."""
    if not requested:
        return False
    version = pelican_version()
    if version is None:
        print("Pelican is not installed in this interpreter; install it with:\n"
              "    pip install -r requirements-bench.txt\n(continuing without the Pelican comparison)")
        return False
    print(f"Pelican: {version}")
    return True


def main(argv: list[str]) -> int:
    """Run every size and print the table; exit status 1 when a build failed."""
    args = parse_args(argv)
    with_pelican = pelican_wanted(args.pelican)
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; seed {args.seed}")
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-") as tmp:
        base = args.keep.resolve() if args.keep else Path(tmp)
        results = [measure(base / f"n{n}", n, args.seed, with_pelican) for n in args.sizes]
    print()
    print_table(results, with_pelican)
    if args.keep:
        print(f"\ncorpora kept under {args.keep.resolve()}")
    return 0 if all(r.cold and r.rebuild for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
