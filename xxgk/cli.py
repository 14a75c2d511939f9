"""The command line: parse arguments, call a stage, print the report or the problems, return the exit code."""

from __future__ import annotations

import argparse
import functools
import gc
import json
import os
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__, failures
from .config import Config, load_config
from .errors import BuildError, Problem, one_line, shown_path

if TYPE_CHECKING:
    from .cache import Memory
    from .pipeline import Report
    from .serve import Status

CHINA = timezone(timedelta(hours=8))

_DESCRIPTION = """政府信息公开网站生成工具。

常用命令（在源代码目录中可用 ./dev 或 python3 build.py 代替 xxgk）：
  xxgk init 文件夹    新建一个站点（配置、示例文件、.gitignore、提交前检查和 CI 配置）
  xxgk build          构建站点（不写命令时也是 build）
  xxgk check          只检查 content/ 中的文件，不生成站点
  xxgk serve          构建并在本机预览，修改文件后自动重新构建
  xxgk import 文件…   把纯文本公开文件转换为 content/ 中的 Markdown 文件

退出码：0 成功；1 内容或配置有错误（已逐条列出文件和行号）或无法读写；2 命令用法错误；130 被 Ctrl+C 中断。"""


def run() -> None:
    """The `xxgk` command: main() with the process's arguments, then exit with its code without tearing down the
    interpreter."""
    kept: list[object] = []  # what a build made: held until the process ends, never freed object by object
    code = main(keep=kept.append)
    # Every file is closed and every worker has ended by now (each is used in a with block); what is left is the
    # interpreter freeing a build's millions of objects one by one and unloading its modules (0.15-0.2 s of an edit
    # build of 10,000 documents, 0.6-0.8 s at 100,000 with what the build kept), for a process that ends anyway.
    # Only buffered output needs to be written.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:  # a closed pipe (xxgk check | head) or a full disk: not all of the output was written
            code = code or 1
    os._exit(code)


def main(argv: list[str] | None = None, keep: Callable[[object], None] = lambda made: None) -> int:
    """Run one command; every failure becomes a Chinese message and an exit code, never a traceback (unless --debug).
    A build hands keep() what it made instead of freeing it (see pipeline.build), for a caller that exits next."""
    args = _parser().parse_args(argv)
    args.keep = keep
    try:
        return args.run(args)
    except BuildError as exc:
        _print_problems(exc.problems, args.format)
        errors = sum(p.is_error for p in exc.problems)
        print(f"失败：错误 {errors} 条，警告 {len(exc.problems) - errors} 条。{_untouched(args)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"已中断（Ctrl+C）。{_untouched(args)}", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        print(failures.explain(exc) + _untouched(args), file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xxgk", description=_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"xxgk {__version__}")
    parser.set_defaults(run=_build, full_index=False, reuse=True, format="text")
    parser.add_argument("--debug", action="store_true", help="出错时显示完整的 Python 调用栈（供维护人员排查）")
    _site_options(parser)  # `xxgk [options]` builds
    _gate_options(parser)
    commands = parser.add_subparsers(title="命令", metavar="命令")
    build = commands.add_parser("build", help="校验全部文件并生成站点；全部成功才替换输出文件夹")
    _site_options(build, argparse.SUPPRESS)
    _gate_options(build, argparse.SUPPRESS)
    build.add_argument("--full-index", action="store_true", help="重建全文检索索引（默认只更新改动过的文件）")
    _cache_option(build)
    build.set_defaults(run=_build)
    check = commands.add_parser("check", help="只做校验，不生成站点（只更新输出文件夹旁的缓存）")
    _site_options(check, argparse.SUPPRESS)
    _gate_options(check, argparse.SUPPRESS)
    check.add_argument("paths", nargs="*", metavar="PATH", help="只报告这些文件的问题（默认全部）")
    check.add_argument(
        "--site",
        type=Path,
        default=None,
        metavar="DIR",
        help="同时检查已生成站点的每个页面（发布前再查一遍垃圾词、隐藏元素和外部链接）",
    )
    _cache_option(check)
    check.set_defaults(run=_check)
    serve = commands.add_parser("serve", help="构建后在 http://127.0.0.1 预览，文件改动后自动重建")
    _site_options(serve, argparse.SUPPRESS)
    _gate_options(serve, argparse.SUPPRESS)
    serve.add_argument("--port", type=_port, default=8000, help="端口（默认 8000）")
    serve.add_argument(
        "--poll",
        action="store_true",
        help="每半秒检查一次文件，而不是等系统通知改动（内容放在网络盘或共享文件夹、改动后不自动重建时使用）",
    )
    _cache_option(serve)
    serve.set_defaults(run=_serve)
    importer = commands.add_parser("import", help="把纯文本公开文件转换为带元数据的 Markdown 文件")
    importer.add_argument("files", nargs="+", metavar="FILE", help="要导入的 UTF-8 纯文本文件")
    importer.add_argument("--content", type=Path, default=None, help="写入的文件夹（默认 config.yaml 的 content）")
    importer.add_argument("--config", default=argparse.SUPPRESS, help="配置文件（默认 config.yaml）")
    importer.set_defaults(run=_import)
    new = commands.add_parser("new", help="新建文件：自动分配该机构当年的下一个索引号")
    new.add_argument("--publisher", required=True, help="发布机构全称（config.yaml 中的机构，或已有文件中的机构）")
    new.add_argument("--title", required=True, help="标题")
    new.add_argument("--date", default=None, metavar="YYYY-MM-DD", help="发布日期（默认今天）")
    new.add_argument("--genre", default="", help="文种，如 通知")
    new.add_argument(
        "--english-keys",
        action="store_true",
        help="元数据用英文键（title、index_no …），默认用中文标签（标题、索引号 …）",
    )
    new.add_argument("--content", type=Path, default=argparse.SUPPRESS, help="文档文件夹（默认读取配置）")
    new.add_argument("--config", default=argparse.SUPPRESS, help="配置文件（默认 config.yaml）")
    new.set_defaults(run=_new)
    report = commands.add_parser(
        "report", help="统计某一年度政府信息公开工作年度报告的数据（reports/YYYY.yaml 加上目录统计）"
    )
    _site_options(report, argparse.SUPPRESS)
    report.add_argument("--year", type=_year, required=True, metavar="YYYY", help="报告年度，例如 2021")
    report.set_defaults(run=_report)
    finder = commands.add_parser("search", help="在已生成站点的全文索引中检索（索引号、文号、机构、分类、日期）")
    finder.add_argument(
        "query",
        metavar="QUERY",
        help="检索词，例如：信息公开、index_no:…、doc_no:…、published:[2019-01-01 TO 2019-12-31]",
    )
    finder.add_argument("--config", default=argparse.SUPPRESS, help="配置文件（默认 config.yaml）")
    finder.add_argument("--out", type=Path, default=argparse.SUPPRESS, help="已生成站点的文件夹（默认读取配置）")
    finder.add_argument("--json", action="store_true", help="以 JSON 输出")
    finder.add_argument("--limit", type=int, default=20, help="最多显示的结果数（默认 20）")
    finder.add_argument(
        "--sort",
        choices=("relevance", "date"),
        default="relevance",
        help="排序：relevance 按相关程度（默认），date 按发布日期从新到旧",
    )
    finder.set_defaults(run=_search)
    clean = commands.add_parser(
        "clean", help="删除输出文件夹旁的构建缓存和检索索引（下次构建全部重新生成）；已生成的站点保留"
    )
    _site_options(clean, argparse.SUPPRESS)
    clean.set_defaults(run=_clean)
    verify = commands.add_parser("verify", help="核对已部署的站点与构建时的清单（manifest.sha256）是否一致")
    verify.add_argument("folder", type=Path, metavar="DIR", help="已部署站点的文件夹")
    verify.add_argument(
        "--manifest", type=Path, default=None, help="构建产生的清单（默认为配置中输出文件夹里的 manifest.sha256）"
    )
    verify.add_argument("--config", default=argparse.SUPPRESS, help="配置文件（默认 config.yaml）")
    verify.set_defaults(run=_verify)
    init = commands.add_parser("init", help="新建一个站点：配置文件、示例文件、.gitignore、提交前检查和 CI 配置")
    init.add_argument("folder", type=Path, metavar="DIR", help="新站点的文件夹（须不存在或为空）")
    init.set_defaults(run=_init)
    for command in commands.choices.values():  # --debug may also follow the command
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return parser


def _port(text: str) -> int:
    if not text.isascii() or not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"端口“{text}”应为 0 到 65535 之间的整数（0 表示自动选一个空闲端口）")
    return int(text)


def _year(text: str) -> int:
    if not text.isascii() or not text.isdigit() or not 2008 <= int(text) <= 9999:
        raise argparse.ArgumentTypeError(
            f"年度“{text}”应为 2008 年（《政府信息公开条例》施行）以后的四位年份，例如 2021"
        )
    return int(text)


def _site_options(parser: argparse.ArgumentParser, default=None) -> None:
    # Subcommands take the same options with SUPPRESS defaults, so they never undo one given before the command.
    parser.add_argument(
        "--config", default="config.yaml" if default is None else default, help="配置文件（默认 config.yaml）"
    )
    parser.add_argument("--content", type=Path, default=default, help="文档文件夹（默认读取配置）")
    parser.add_argument("--out", type=Path, default=default, help="输出文件夹（默认读取配置，通常为 site/）")
    parser.add_argument(
        "--today",
        default=default,
        metavar="YYYY-MM-DD",
        help="把“今天”固定为这一天（决定定时发布的文件是否发布）；也可用 SOURCE_DATE_EPOCH",
    )


def _cache_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-cache",
        dest="reuse",
        action="store_false",
        help="不沿用上一次构建的任何结果：全部重新读取、生成并写入每个文件",
    )


def _gate_options(parser: argparse.ArgumentParser, default=None) -> None:
    """The options of the commands that run every rule: build, check and serve."""
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text" if default is None else default,
        help="问题清单的格式：text（默认，每行“路径:行:列: 级别 代码 说明”）或 json（供 CI 标注）",
    )
    parser.add_argument(
        "--since",
        default="HEAD" if default is None else default,
        metavar="REV",
        help="与这个 git 版本比较，已提交文件的索引号不得改动（默认 HEAD；CI 中可用 origin/main；none 不比较）",
    )


def _since(args: argparse.Namespace) -> str | None:
    return None if args.since == "none" else args.since


def today(option: str | None) -> date:
    """The day that decides scheduled publication: --today, else SOURCE_DATE_EPOCH, else now in China;
    ValueError when the one given is not a day."""
    if option:
        return date.fromisoformat(option)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), CHINA).date()
        except (OverflowError, OSError) as exc:  # a number of seconds past the year 9999
            raise ValueError(epoch) from exc
    return datetime.now(CHINA).date()


def _load(args: argparse.Namespace) -> Config:
    return load_config(Path(args.config), content_dir=args.content, output_dir=args.out)


def _build(args: argparse.Namespace) -> int:
    from . import pipeline  # imported when needed: Ctrl+C while it loads is then handled by main()

    report = pipeline.build(
        _load(args),
        _today_or_exit(args.today),
        since=_since(args),
        full_index=args.full_index,
        reuse=args.reuse,
        progress=_progress(),
        keep=args.keep,
    )
    _print_problems(list(report.warnings), args.format)
    print(_summary(report), file=_chatter(args))
    return 0


def _check(args: argparse.Namespace) -> int:
    from . import workers

    # Not only while the rules run: what comes after them would make the collector walk every document read.
    with workers.young_collections_only():
        return _checked(args)


def _checked(args: argparse.Namespace) -> int:
    from . import assemble, pipeline
    from .check import scope

    config = checked = None
    try:
        config = _load(args)
        day = _today_or_exit(args.today)
        # No page is made: the rules, and the scan of --site (which reads the documents' findings), need no body;
        # without --site, nothing but the facts the rules between documents read.
        bodies = "facts" if args.site is None else "none"
        checked = pipeline.check(
            config, day, since=_since(args), cached=args.reuse, bodies=bodies, raise_errors=not args.paths
        )
        problems = list(checked.warnings)  # with paths, the errors too: only the named files' are reported
        if checked.cache and not any(p.is_error for p in problems):
            checked.cache.commit()  # every document read without errors: the next check reads only edited ones
    except BuildError as exc:
        problems = list(exc.problems)
    if config is not None and args.site is not None:
        problems += (
            _missing([args.site], "--site 指定的站点文件夹")
            or pipeline.scan_pages(
                args.site, config, assemble.partition(checked.documents, day)[0] if checked else [], shown_path
            )[0]
        )
    hidden = 0
    if args.paths and config is not None:  # without a config nothing was checked: every problem is shown
        named = [Path(p) for p in args.paths if os.path.lexists(p)]
        kept = scope.scope(named, config.content_dir, checked.documents if checked else ()).report(problems)
        hidden = sum(p.is_error for p in problems) - sum(p.is_error for p in kept)
        problems = kept
    # A broken link is there all the same: the walk says what is wrong with it.
    problems += _missing([Path(p) for p in args.paths if not os.path.islink(p)], "要检查的文件")
    problems.sort(key=Problem.sort_key)
    _print_problems(problems, args.format)
    errors = sum(p.is_error for p in problems)
    if errors or (config is None):
        print(f"检查未通过：错误 {errors} 条，警告 {len(problems) - errors} 条。", file=sys.stderr)
    elif hidden:  # in documents other than the named ones
        print(
            f"所查文件没有错误；警告 {len(problems)} 条。其他文件还有 {hidden} 条错误，不带文件名运行 check 可以查看。",
            file=_chatter(args),
        )
    else:
        published, held_back, drafts = assemble.counts(checked.documents, day)
        print(
            f"检查通过：{published} 篇已发布文件，{held_back} 篇定时发布，{drafts} 篇草稿；警告 {len(problems)} 条。",
            file=_chatter(args),
        )
    return 1 if errors or config is None else 0


def _missing(paths: list[Path], what: str) -> list[Problem]:
    """An error for each path that does not exist: checking nothing must never read as a pass."""
    return [
        Problem(shown_path(path), None, f"{what}不存在。请检查路径是否写错。", "path-missing")
        for path in paths
        if not path.exists()
    ]


def _serve(args: argparse.Namespace) -> int:
    from . import pipeline, serve, workers
    from .cache import Memory

    config = _load(args)
    day = _today_or_exit(args.today)
    # The documents read, kept between rebuilds (an edit reads one file, not the cache); the watch reports each change.
    memory = Memory(reporting=True)
    watched = [config.content_dir, config.templates_dir, config.static_dir, config.path, config.reports_dir]
    # Taken before the first build: an edit saved while it runs, or before the watcher starts, is built next.
    seen = serve.snapshot(watched)
    # Each build brings the Whoosh index (for `xxgk search`) in line after the site is swapped in: the preview
    # reloads its pages without waiting for it.
    report = pipeline.build(config, day, since=_since(args), reuse=args.reuse, memory=memory, published=lambda: None)
    _print_problems(list(report.warnings), args.format)
    print(_summary(report), file=_chatter(args), flush=True)

    status = serve.Status()

    def rebuild(changed: set[str] | None) -> None:
        memory.report(changed)  # the files the operating system reported changed, if it told them
        if not status.error and memory.reported_as_committed():  # after a failed build, every save is built
            print("改动的文件与上一次构建时内容相同，无须重建。", file=_chatter(args), flush=True)
            return
        # The full collection that a build's millions of objects are due is made once the build has ended, not by
        # whatever allocates next: that would be the next edit's page rendered ahead, seconds late at 100,000
        # documents.
        with workers.young_collections_only():
            built()
        gc.collect()

    def built() -> None:
        try:
            current = _load(args)
            if (current.output_dir, current.base_path) != (config.output_dir, config.base_path):
                raise BuildError([_serve_restart(current)])
            _render_ahead(current, memory, status, args)
            report = pipeline.build(
                current,
                day,
                since=_since(args),
                reuse=args.reuse,
                memory=memory,
                published=lambda: status.succeeded(functools.partial(_published_page, current)),
            )
            _print_problems(list(report.warnings), args.format)
            print(_summary(report), file=_chatter(args), flush=True)
        except BuildError as exc:
            _print_problems(exc.problems, args.format)
            print("重建失败，仍在预览上一次成功构建的站点。修改后会自动重试。", file=sys.stderr, flush=True)
            status.failed("\n".join(str(p) for p in exc.problems))

    try:
        server = serve.make_server(config.output_dir, config.base_path, args.port, status)
    except OSError as exc:
        print(
            f"无法在端口 {args.port} 上预览：{failures.os_reason(exc)}。请关闭占用它的程序，或用 --port 换一个端口。",
            file=sys.stderr,
        )
        return 1
    print(f"预览地址：http://127.0.0.1:{server.server_address[1]}{config.base_path}  （按 Ctrl+C 停止）", flush=True)
    serve.serve_forever(server, watched, rebuild, status, seen, args.poll)
    return 0


def _render_ahead(config: Config, memory: Memory, status: Status, args: argparse.Namespace) -> None:
    """Serve the pages of documents whose body alone was edited at once, before the build (see preview.py)."""
    from . import pipeline, preview

    compiled = pipeline.cache_dir(config.output_dir) / "templates" if args.reuse else None
    try:
        pages = preview.pages_ahead(config, memory, compiled)
    except BuildError:  # a template that fails on the new body: the build reports it
        return
    if pages:
        status.rendered_ahead({config.base_path + path: data for path, data in pages.items()})
        print(f"已先更新改动的 {len(pages)} 个文件页面，正在重建整个站点。", file=_chatter(args), flush=True)


def _published_page(config: Config, url_path: str) -> bytes | None:
    """The bytes of the published page at url_path (under the base path), or None when there is none."""
    try:
        return (config.output_dir / url_path.removeprefix(config.base_path)).read_bytes()
    except OSError:
        return None


def _serve_restart(config: Config) -> Problem:
    """The problem of a config whose output folder or base path changed while serve ran: it serves the old ones."""
    return Problem(
        shown_path(config.path),
        None,
        "输出文件夹（paths.output）或网站地址的路径（base_url）改了，正在运行的预览不能随之改变。"
        "请按 Ctrl+C 停止预览，再重新运行 serve。",
        "serve-restart",
    )


def _import(args: argparse.Namespace) -> int:
    config = load_config(Path(args.config))
    folder = (args.content or config.content_dir) / config.default_column
    bodies = [(body.name, body.short) for body in config.bodies]
    results = [_import_one(Path(name), folder, bodies) for name in args.files]
    return 0 if all(results) else 1


def _import_one(source: Path, folder: Path, bodies: list[tuple[str, str]]) -> bool:
    """Convert one text file into a content file beside the others; False (with a message) when it cannot."""
    from slugify import slugify

    from . import sources
    from .content import LIMIT_BYTES, decode
    from .frontmatter import label
    from .importer import import_text, to_markdown_file

    try:
        text = decode(sources.read_bytes(source, LIMIT_BYTES))
    except sources.Unreadable as exc:
        print(f"{source}: {exc.message}", file=sys.stderr)
        return False
    except UnicodeDecodeError:
        print(f"{source}: 不是 UTF-8 编码。请先另存为 UTF-8（例如 iconv -f GB18030 -t UTF-8）。", file=sys.stderr)
        return False
    target = folder / f"{slugify(source.stem) or 'document'}.md"
    if target.exists():
        print(f"{source}: 目标文件 {target} 已存在，未覆盖。请先改名或删除它。", file=sys.stderr)
        return False
    imported = import_text(text, bodies)
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(to_markdown_file(imported), encoding="utf-8")
    print(f"已导入：{source} → {target}")
    if imported.missing:
        print("  请补充：" + "、".join(label(k) for k in imported.missing))
    for note in imported.notes:
        print(f"  说明：{note}")
    return True


def _new(args: argparse.Namespace) -> int:
    from . import newdoc

    refused = [
        reason
        for option, value in (("--title", args.title), ("--publisher", args.publisher), ("--genre", args.genre))
        if (reason := newdoc.refused_text(option, value, empty_allowed=option == "--genre"))
    ]
    if refused:
        print("\n".join(refused), file=sys.stderr)
        return 2
    config = _load(args)
    day = _today_or_exit(args.date, "--date")
    existing = newdoc.existing_index_numbers(config.content_dir)
    code = newdoc.body_code(args.publisher, config, existing)
    if code is None:
        print(
            f"未知的发布机构“{args.publisher}”：config.yaml 的 bodies 中没有它的代码，content/ 中也没有它的文件。"
            "请在 config.yaml 的 bodies 中登记机构全称和代码。",
            file=sys.stderr,
        )
        return 1
    index_no = newdoc.next_index_number(config.index_form, code, day, existing)
    path = newdoc.new_document_path(config, config.content_dir, index_no)
    if path.exists():
        print(f"{path}: 已存在，未覆盖。", file=sys.stderr)
        return 1
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        newdoc.document_text(args.title, index_no, args.publisher, day, args.genre, english=args.english_keys),
        encoding="utf-8",
    )
    print(shown_path(path))
    return 0


def _report(args: argparse.Namespace) -> int:
    from . import annual, pipeline

    config = _load(args)
    day = _today_or_exit(args.today)
    checked = pipeline.check(config, day)
    site = pipeline.site_model(checked, config, day)
    figures = annual.corpus_figures(site.documents, args.year, annual.site_rule(config.bodies))
    for data in [data for year, data in checked.reports if year == args.year] or [None]:
        print(annual.report_text(figures, data, args.year), end="")
    return 0


def _search(args: argparse.Namespace) -> int:
    import json

    from . import pipeline, search

    config = _load(args)
    try:
        result = search.search(
            pipeline.index_dir(config.output_dir),
            args.query,
            args.limit,
            base_url=config.base_url,
            by_date=args.sort == "date",
        )
    except search.IndexMissing as exc:
        print(f"{pipeline.index_dir(config.output_dir)}: {exc}", file=sys.stderr)
        return 1
    except search.SearchSyntaxError as exc:
        print(f"检索式有误：{exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
        return 0
    print(f"“{args.query}”共找到 {result.total} 条" + (f"，显示前 {len(result.hits)} 条：" if result.hits else "。"))
    for number, hit in enumerate(result.hits, start=1):
        print(f"{number:>3}. {hit.title}\n     {hit.index_no}  {hit.publisher}  {hit.published}\n     {hit.url}")
        if str(hit.snippet):
            print(f"     {hit.snippet.marked()}")
    return 0


def _clean(args: argparse.Namespace) -> int:
    from . import pipeline

    config = _load(args)
    removed = pipeline.clean(config.output_dir)
    for folder in removed:
        print(f"已删除：{folder}")
    if not removed:
        print("没有需要删除的构建缓存。")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from . import manifest

    source = args.manifest or _load(args).output_dir / manifest.MANIFEST
    try:
        expected = manifest.load(source)
    except manifest.Unusable as exc:
        print(exc, file=sys.stderr)
        return 1
    if not args.folder.is_dir():
        print(f"{args.folder}: 不是文件夹。", file=sys.stderr)
        return 1
    found = manifest.compare(args.folder, expected)
    for label, paths in _VERIFY_LABELS:
        for path in getattr(found, paths):
            print(f"{args.folder / path}: {label}", file=sys.stderr)
    if found.identical:
        print(f"核对通过：{args.folder} 的 {len(expected)} 个文件与清单一致。")
        return 0
    print(
        f"核对失败：{len(found.changed)} 个文件被修改，{len(found.missing)} 个缺失，{len(found.extra)} 个多出，"
        f"{len(found.links) + len(found.special) + len(found.folders)} 个不应出现的链接、特殊文件或文件夹。",
        file=sys.stderr,
    )
    return 1


_VERIFY_LABELS = (
    ("已被修改", "changed"),
    ("缺失", "missing"),
    ("多出", "extra"),
    ("是符号链接（站点中不应有链接，未跟随核对）", "links"),
    ("不是普通文件（管道、设备，或清单中应为文件之处是文件夹）", "special"),
    ("多出的文件夹（清单中没有其中的任何文件）", "folders"),
)


def _init(args: argparse.Namespace) -> int:
    from . import newsite

    for path in newsite.create(args.folder):
        print(f"已创建：{path}")
    print(f"下一步：cd {args.folder} && git init && xxgk build（构建到 site/），或 xxgk serve（本机预览）。")
    return 0


def _today_or_exit(option: str | None, flag: str = "--today") -> date:
    try:
        return today(option)
    except ValueError:
        if option:
            print(f"{flag} 的值“{option}”不是 YYYY-MM-DD 形式的日期。", file=sys.stderr)
        else:
            print(
                f"环境变量 SOURCE_DATE_EPOCH 的值“{os.environ.get('SOURCE_DATE_EPOCH')}”不是有效的时间"
                "（应为从 1970-01-01 起的秒数，例如 1700000000）。请改正或删除这个环境变量，或用 --today 指定日期。",
                file=sys.stderr,
            )
        raise SystemExit(2) from None


def _chatter(args: argparse.Namespace):
    """Where summaries go: stdout, unless stdout carries JSON for a machine."""
    return sys.stderr if args.format == "json" else sys.stdout


def _print_problems(problems: list[Problem], form: str = "text") -> None:
    """Every problem as `path:line:column: 级别 code message` on stderr, or as one JSON object on stdout."""
    if form == "json":
        errors = sum(p.is_error for p in problems)
        print(
            json.dumps(
                {"errors": errors, "warnings": len(problems) - errors, "problems": [p.to_json() for p in problems]},
                ensure_ascii=False,
            ),
            flush=True,
        )
        return
    for problem in problems:
        print(problem, file=sys.stderr, flush=True)


_SCHEDULED_LISTED = 3  # scheduled documents named in the summary; the rest are counted


def _progress():
    """Where a build reports its stages: one line rewritten in place on a terminal, plain lines in CI (CI set),
    nothing otherwise (the summary at the end says it all)."""
    if sys.stderr.isatty():
        return lambda line: print(f"\r\033[K{line}", end="", file=sys.stderr, flush=True)
    if os.environ.get("CI"):
        return lambda line: print(line, file=sys.stderr, flush=True)
    return lambda line: None


def _unchanged_lines(report: Report) -> list[str]:
    return [
        "输入（文件、模板、静态文件、配置、日期和 git 版本）与上一次成功构建时完全相同：站点和搜索索引无须改动，"
        "本次没有写任何文件。" + ("上面的警告是上一次构建检查的结果，仍然有效。" if report.warnings else ""),
    ]


def _work_lines(report: Report) -> list[str]:
    index, changes = report.index, report.changes
    lines = [
        f"读取：{report.reread} 篇文件重新读取，{report.cached} 篇沿用缓存。" if report.cached or report.reread else "",
        "各阶段用时：" + "，".join(f"{name} {seconds:.2f} 秒" for name, seconds in report.stages) + "。",
        f"其中搜索索引用时 {report.search_seconds:.2f} 秒（search index: {report.search_seconds:.2f} s）："
        + (
            "全部重建"
            if index.full
            else f"新增 {index.added}、更新 {index.updated}、删除 {index.deleted}、未变 {index.unchanged}"
        )
        + "。",
        f"站点文件：新增 {changes.added}、修改 {changes.changed}、删除 {changes.removed}、未变 {changes.unchanged}"
        "（未变的文件没有重写，保留原来的修改时间）。",
    ]
    if index.healed:
        lines.append("注意：上一次的搜索索引已损坏（有文件缺失或被改动），本次已从内容重建。")
    return lines


def _summary(report: Report) -> str:
    if sys.stderr.isatty():
        print("\r\033[K", end="", file=sys.stderr, flush=True)  # clears the progress line
    lines = [
        f"构建完成：{report.documents} 篇文件，{report.pages} 个页面，共 {report.files} 个文件；"
        f"警告 {len(report.warnings)} 条；用时 {report.seconds:.2f} 秒。",
        *(_unchanged_lines(report) if report.unchanged else _work_lines(report)),
    ]
    for src, day in report.held_back[:_SCHEDULED_LISTED]:
        lines.append(one_line(f"定时发布：{src} 将于 {day.isoformat()} 发布，本次未生成。"))
    if len(report.held_back) > _SCHEDULED_LISTED:
        last = max(day for _, day in report.held_back)
        lines.append(
            f"另有 {len(report.held_back) - _SCHEDULED_LISTED} 篇定时发布的文件未生成（最晚 {last.isoformat()} 发布）。"
        )
    if report.drafts:
        lines.append(f"草稿：{report.drafts} 篇未发布。")
    return "\n".join(line for line in lines if line)


def _untouched(args: argparse.Namespace) -> str:
    if args.run in (_build, _serve):
        return "站点未更新，输出文件夹保持上一次成功构建的内容。"
    return ""
