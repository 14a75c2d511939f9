"""The benchmark: build synthetic corpora of N documents cold, again unchanged, after a one-line edit, `check` one
file and time `serve` from an edit to its new build; beside Pelican and Hugo where installed. Prints the target
table of incremental builds.

python bench/run.py [--sizes 10000,100000] [--compare-at 10000] [--keep DIR] [--seed S]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
import hugo_corpus  # noqa: E402
import pelican_corpus  # noqa: E402

EDIT_LINE = "\n本文件自印发之日起施行，由发布机构负责解释。\n"


@dataclass(frozen=True, slots=True)
class Run:
    """One timed child process: wall seconds, its own peak RSS in MB, exit status and output."""

    wall: float
    rss_mb: float
    cpu: float  # user + system seconds of the process and the workers it waited for
    returncode: int
    stdout: str
    stderr: str


@dataclass(frozen=True, slots=True)
class Result:
    """The measurements for one corpus size; None where not measured or failed."""

    n: int
    docs: int
    cold: Run | None = None  # nothing beside the output: no site, no cache, no index
    noop: Run | None = None  # the same build again, nothing changed
    edit: Run | None = None  # after a one-line edit of one document: the median of EDIT_BUILDS
    check_one: Run | None = None  # `check` of the edited file, with check's cache warm
    serve_edit: float | None = None  # seconds from saving an edit to the edited page, reloaded, showing it
    serve_published: float | None = None  # seconds from saving an edit to serve's new build of the whole site
    gate: dict | None = None  # bench/gate_cost.py's CPU seconds of the rules over the cold build's corpus and pages
    pelican_cold: Run | None = None
    pelican_edit: Run | None = None  # the median of EDIT_BUILDS, as ours
    hugo_cold: Run | None = None
    hugo_edit: Run | None = None  # the median of EDIT_BUILDS, as ours


# The measured commands run with Python's bytecode caches, as on an installed system (pip compiles them at install
# time): a shell that turns them off (PYTHONDONTWRITEBYTECODE) would make every run compile each tool's sources.
CHILD_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str], cwd: Path) -> Run:
    """Run cmd, timing it with perf_counter and reading that child's peak RSS and CPU time from os.wait4."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=CHILD_ENV, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped: stop Popen from waiting again
        out.seek(0)
        err.seek(0)
        return Run(
            wall,
            usage.ru_maxrss / 1024,
            usage.ru_utime + usage.ru_stime,
            proc.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
        )


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


# A build after an edit is timed this many times (each after an edit of its own) and its median run shown: one build's
# figure moves by a fifth or more from run to run on a shared machine.
EDIT_BUILDS = 3


def after_edits(what: str, content: Path, build: Callable[[int], Run]) -> Run | None:
    """The run of median wall time among EDIT_BUILDS builds (build(k) for k = 1, 2, …), each after a one-line edit of
    the same document under content; None, after showing why, when one failed."""
    runs = []
    for k in range(1, EDIT_BUILDS + 1):
        edit_one(content)
        run = ok(what, build(k))
        if run is None:
            return None
        runs.append(run)
    progress(f"  {what}, each: {', '.join(f'{run.wall:.2f} s' for run in runs)}")
    return sorted(runs, key=lambda run: run.wall)[len(runs) // 2]


def report_failure(what: str, run: Run) -> None:
    """Show the end of a failed build's output."""
    progress(f"  {what} failed with exit status {run.returncode}:")
    for line in (run.stderr or run.stdout).strip().splitlines()[-15:]:
        progress(f"    {line}")


def logged(root: Path, name: str, run: Run) -> Run:
    """The run, its output kept beside the corpus (ROOT-logs/NAME.txt) for a look at what a build reported."""
    logs = root.parent / f"{root.name}-logs"
    logs.mkdir(exist_ok=True)
    (logs / f"{name}.txt").write_text(run.stdout + run.stderr, encoding="utf-8")
    return run


def ok(what: str, run: Run) -> Run | None:
    """The run when it succeeded; else None, after showing why."""
    if run.returncode == 0:
        return run
    report_failure(what, run)
    return None


def commit_corpus(root: Path) -> None:
    """Commit the corpus (config.yaml and content/) to a new git repository at root, as editors keep theirs: builds
    and check then compare every index number with the commit, as they do on a real portal's checkout."""
    if shutil.which("git") is None:
        progress("  git is not installed: the corpus is not committed, and no index number is compared with git")
        return
    git = ["git", "-C", str(root), "-c", "user.name=bench", "-c", "user.email=bench@example.gov.cn"]
    shutil.rmtree(root / ".git", ignore_errors=True)
    for command in (["init", "-q"], ["add", "config.yaml", "content"], ["commit", "-qm", "corpus"]):
        subprocess.run([*git, *command], check=True, capture_output=True)


def bench_ours(root: Path, n: int, seed: int) -> Result:
    """Generate the corpus, then: cold build, the same build again, a build after a one-line edit, `check` of one
    edited file with a warm cache, and `serve` from an edit to its page showing it and to its new build."""
    progress(f"N={n}: generating corpus in {root}")
    corpus.generate(root, n, seed)
    commit_corpus(root)
    os.sync()  # the corpus is on disk before the clock starts, as in a checkout
    docs = sum(1 for _ in (root / "content").rglob("*.md"))
    config = ["--config", str(root / "config.yaml")]
    build = [sys.executable, "build.py", "build", *config]
    check = [sys.executable, "build.py", "check", *config]
    progress(f"N={n}: build (cold: no site, cache or index)")
    cold = ok("cold build", logged(root, "cold", timed(build, REPO)))
    if cold is None:
        return Result(n, docs)
    progress(f"N={n}: build again, nothing changed")
    noop = ok("unchanged build", logged(root, "unchanged", timed(build, REPO)))
    progress(f"N={n}: build after a one-line edit, {EDIT_BUILDS} times")
    edit = after_edits("build after an edit", root / "content", lambda k: logged(root, f"edit-{k}", timed(build, REPO)))
    progress(f"N={n}: check (fills check's own cache), then check of one edited file")
    ok("check", timed(check, REPO))
    edited = edit_one(root / "content")
    check_one = ok("check of one file", timed([*check, str(edited)], REPO))
    progress(f"N={n}: serve, from an edit to its page showing it and to its new build")
    served = serve_edit(root, config) or (None, None)
    progress(f"N={n}: the rules' own CPU time over the corpus and its pages")
    gate = ok("gate cost", timed([sys.executable, str(HERE / "gate_cost.py"), str(root)], REPO))
    return Result(n, docs, cold, noop, edit, check_one, *served, json.loads(gate.stdout) if gate else None)


# serve's figure is the median of this many edits, each saved once serve has ended the rebuild before it: one
# edit's figure moves by a tenth or more from run to run on a shared machine.
SERVE_EDITS = 3


def serve_edit(root: Path, config: list[str]) -> tuple[float, float] | None:
    """The medians, over SERVE_EDITS one-line edits, of the seconds from saving the edit until the edited page, as an
    open page reloads it, shows the edit, and until serve answers an open page's held status request with the new
    build of the whole site."""
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(
            [sys.executable, "build.py", "serve", *config, "--port", "0"],
            cwd=REPO,
            env=CHILD_ENV,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            address = _serve_address(out, proc)
            shown: list[float] = []
            published: list[float] = []
            while address is not None and len(shown) < SERVE_EDITS:
                ended = _builds_ended(out)
                time.sleep(1.5)  # the watcher has taken its first look, or the last rebuild has settled
                took = _serve_one_edit(root, address)
                if took is None or not _build_ends(out, ended, proc):
                    return None
                shown.append(took[0])
                published.append(took[1])
            if address is None:
                return None
            progress(f"  serve, each edit: page shown {', '.join(f'{s:.2f} s' for s in shown)}")
            progress(f"  serve, each edit: site published {', '.join(f'{s:.2f} s' for s in published)}")
            return statistics.median(shown), statistics.median(published)
        finally:
            proc.terminate()
            proc.wait(30)


def _serve_one_edit(root: Path, address: str) -> tuple[float, float] | None:
    """Seconds from a one-line edit until its page, fetched as an open page reloads it, shows the edit (serve renders
    an edited body's page ahead of the build), and until serve's answer with a new build; None when the build
    failed."""
    before = _status(address)
    edited = edit_one(root / "content")
    lines = edited.read_text(encoding="utf-8").count(EDIT_LINE.strip())
    start, status, shown = time.perf_counter(), before, None
    while time.perf_counter() - start < 600:
        status = _status(address, status["version"])  # held until the status changes, as a page's is
        if status["error"]:
            return None
        if status["build"] != before["build"]:
            published = time.perf_counter() - start
            return shown or published, published
        if shown is None and any(_fetched(address, url).count(EDIT_LINE.strip()) == lines for url in status["pages"]):
            shown = time.perf_counter() - start
    return None


def _fetched(address: str, url_path: str) -> str:
    """The page at url_path of the site serve serves at address, as text."""
    with urllib.request.urlopen(urllib.parse.urljoin(address, url_path), timeout=60) as response:
        return response.read().decode("utf-8")


def _builds_ended(out) -> int:
    """How many builds serve has reported as ended (its summary line) in its output so far."""
    out.seek(0)
    return out.read().decode("utf-8", "replace").count("构建完成：")


def _build_ends(out, ended: int, proc: subprocess.Popen, limit: float = 600) -> bool:
    """Wait (at most limit seconds, while serve runs) until serve reports more than `ended` builds ended."""
    start = time.perf_counter()
    while proc.poll() is None and time.perf_counter() - start < limit:
        if _builds_ended(out) > ended:
            return True
        time.sleep(0.1)
    return False


def _serve_address(out, proc: subprocess.Popen) -> str | None:
    while proc.poll() is None:
        out.seek(0)
        found = re.search(r"预览地址：(http://\S+)", out.read().decode("utf-8", "replace"))
        if found:
            return found.group(1)
        time.sleep(0.1)
    return None


def _status(address: str, seen: int | None = None) -> dict:
    query = "" if seen is None else f"?seen={seen}"
    with urllib.request.urlopen(address + "__xxgk/status" + query, timeout=60) as response:
        return json.loads(response.read())


def pelican_version() -> str | None:
    """Pelican's version when `python -m pelican` works in this interpreter, else None."""
    probe = subprocess.run([sys.executable, "-m", "pelican", "--version"], capture_output=True, text=True)
    if probe.returncode != 0:
        return None
    return probe.stdout.strip() or probe.stderr.strip()


def hugo_version() -> str | None:
    """Hugo's version when a `hugo` command is installed (Debian: apt-get install hugo), else None."""
    if shutil.which("hugo") is None:
        return None
    probe = subprocess.run(["hugo", "version"], capture_output=True, text=True)
    return probe.stdout.strip() if probe.returncode == 0 else None


def bench_other(name: str, root: Path, n: int, write, command: list[str]) -> tuple[Run | None, Run | None]:
    """Write another generator's twin of the corpus (write(root)), build it cold, edit one document, build again."""
    progress(f"N={n}: generating the {name} twin in {root}")
    write(root)
    os.sync()
    progress(f"N={n}: {name} (cold)")
    cold = ok(name, timed(command, root))
    if cold is None:
        return None, None
    progress(f"N={n}: {name} after a one-line edit, {EDIT_BUILDS} times")
    return cold, after_edits(f"{name} after an edit", root / "content", lambda _: timed(command, root))


def bench_pelican(root: Path, n: int, seed: int) -> tuple[Run | None, Run | None]:
    """Pelican with its content cache on, so its rebuild loads what the cold run cached."""
    return bench_other(
        "pelican",
        root,
        n,
        lambda folder: pelican_corpus.generate(folder, n, seed, cache=True),
        [sys.executable, "-m", "pelican", "content", "-o", "out", "-s", "pelicanconf.py"],
    )


def bench_hugo(root: Path, n: int, seed: int) -> tuple[Run | None, Run | None]:
    """Hugo's build (it keeps no cache between runs)."""
    return bench_other(
        "hugo",
        root,
        n,
        lambda folder: hugo_corpus.generate(folder, n, seed),
        ["hugo", "--quiet", "--source", str(root), "--destination", str(root / "out")],
    )


def measure(base: Path, n: int, seed: int, pelican: bool, hugo: bool) -> Result:
    """All measurements for one size, in folders under base: the others first, whose rebuilds delete no files."""
    # On a file system without a journal (ext4 on this VM), creating files is several times slower for minutes
    # after many were deleted: the allocator steps over recently freed inodes. No corpus is deleted before
    # every size is measured.
    pelican_runs = bench_pelican(base / "pelican", n, seed) if pelican else (None, None)
    hugo_runs = bench_hugo(base / "hugo", n, seed) if hugo else (None, None)
    ours = bench_ours(base / "xxgk", n, seed)
    return replace(
        ours, pelican_cold=pelican_runs[0], pelican_edit=pelican_runs[1], hugo_cold=hugo_runs[0], hugo_edit=hugo_runs[1]
    )


# The targets of the issue this benchmark answers, at 10,000 and 100,000 documents.
TARGETS = {
    "serve": ("≤ 1 s", "≤ 2 s"),
    "published": ("", ""),
    "edit": ("≤ 3 s", "≤ 10 s"),
    "noop": ("≤ 2 s", "≤ 8 s"),
    "check": ("≤ 2 s", "≤ 5 s"),
    "cold": ("≤ 45 s and < Pelican", "≤ 10 × the 10k figure"),
    "rss": ("≤ 600 MB", "≤ 2 GB"),
    "gate": ("≤ 10 %", "≤ 10 %"),
}
ROWS = [
    ("serve", "one-document edit, serve, the edited page reloaded"),
    ("published", "one-document edit, serve, the whole site published"),
    ("edit", "one-document edit, build with cache, whole process"),
    ("noop", "nothing changed, build with cache"),
    ("check", "check of one file with cache"),
    ("cold", "cold build with both search indexes, no cache"),
    ("rss", "peak memory, cold"),
    ("gate", "the rules' CPU time / the rest of a cold build's"),
]


def seconds(run: Run | None) -> str:
    return "failed" if run is None else f"{run.wall:.2f} s"


def figure(r: Result, key: str) -> str:
    """Our figure for one row of the target table, with Pelican's and Hugo's beside it where measured."""
    if key in ("serve", "published"):
        took = r.serve_edit if key == "serve" else r.serve_published
        return "failed" if took is None else f"{took:.2f} s"
    if key == "rss":
        return (
            "failed" if r.cold is None else f"{r.cold.rss_mb:.0f} MB" + _others(r, lambda run: f"{run.rss_mb:.0f} MB")
        )
    if key == "gate":
        return _gate_share(r)
    run = {"edit": r.edit, "noop": r.noop, "check": r.check_one, "cold": r.cold}[key]
    if key == "cold":
        return seconds(run) + _others(r, lambda run: f"{run.wall:.2f} s")
    if key == "edit":
        return seconds(run) + _others(r, lambda run: f"{run.wall:.2f} s", edit=True)
    return seconds(run)


def _gate_share(r: Result) -> str:
    """The rules' CPU seconds (document lint and page scan) against the rest of the cold build's CPU seconds."""
    if r.gate is None or r.cold is None:
        return "failed"
    lint, scan = r.gate["lint"], r.gate["scan"]
    share = 100 * (lint + scan) / (r.cold.cpu - lint - scan)
    return f"{share:.1f} % (lint {lint:.1f} s + page scan {scan:.1f} s of {r.cold.cpu:.1f} s CPU)"


def _others(r: Result, show, edit: bool = False) -> str:
    runs = [("Pelican", r.pelican_edit if edit else r.pelican_cold), ("Hugo", r.hugo_edit if edit else r.hugo_cold)]
    shown = [f"{name} {show(run)}" for name, run in runs if run is not None]
    return f" ({', '.join(shown)})" if shown else ""


def print_table(results: list[Result]) -> None:
    """Print the issue's target table: one column per size, and the targets beside the sizes that have them."""
    head = [""]
    for r in results:
        head.append(f"{r.n:,} documents")
        if r.n in (10_000, 100_000):
            head.append(f"target at {r.n:,}")
    lines = [head]
    for key, label in ROWS:
        line = [label]
        for r in results:
            line.append(figure(r, key))
            if r.n in (10_000, 100_000):
                line.append(TARGETS[key][r.n == 100_000])
        lines.append(line)
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    for k, line in enumerate(lines):
        print("| " + " | ".join(text.ljust(width) for text, width in zip(line, widths, strict=True)) + " |")
        if k == 0:
            print("|" + "|".join("-" * (width + 2) for width in widths) + "|")


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description="Benchmark build.py on synthetic disclosure corpora.")
    parser.add_argument(
        "--sizes", default="10000,100000", help="comma-separated document counts (default 10000,100000)"
    )
    parser.add_argument(
        "--compare-at",
        type=int,
        default=10_000,
        metavar="N",
        help="the size at which Pelican and Hugo are timed too, where installed (default 10000; 0: never)",
    )
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


def others() -> tuple[bool, bool]:
    """Whether Pelican and Hugo are installed, saying which versions run (or how to install them)."""
    pelican, hugo = pelican_version(), hugo_version()
    print(f"Pelican: {pelican}" if pelican else "Pelican: not installed (pip install -r requirements-bench.txt)")
    print(f"Hugo: {hugo}" if hugo else "Hugo: not installed (apt-get install hugo)")
    return pelican is not None, hugo is not None


def main(argv: list[str]) -> int:
    """Run every size and print the table; exit status 1 when a measurement failed."""
    args = parse_args(argv)
    pelican, hugo = others() if args.compare_at in args.sizes else (False, False)
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; seed {args.seed}")
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-") as tmp:
        base = args.keep.resolve() if args.keep else Path(tmp)
        results = [
            measure(base / f"n{n}", n, args.seed, pelican and n == args.compare_at, hugo and n == args.compare_at)
            for n in args.sizes
        ]
    print()
    print_table(results)
    if args.keep:
        print(f"\ncorpora kept under {args.keep.resolve()}")
    return 0 if all(r.cold and r.noop and r.edit and r.check_one and r.serve_edit for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
