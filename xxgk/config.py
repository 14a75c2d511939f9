"""Stage 1: read config.yaml once into a frozen Config; every problem in it is reported together."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from slugify import slugify

from . import attachments, output_folder, sources, yamltree
from .disclosure import Application, Guide, Metadata, read_application, read_guide, read_metadata
from .errors import ConfigError, Problem, raise_if_errors, shown_path
from .fields import FieldReader
from .identifiers import IndexForm, parse_index_form
from .workdays import WorkCalendar, national
from .yamltree import Node

_COLUMN_KEY = re.compile(r"[a-z0-9][a-z0-9-]*")

# The 目录's columns (catalog.columns); art. 12 requires the first four.
CATALOG_REQUIRED = ("index_no", "title", "summary", "generated")
CATALOG_COLUMNS = (*CATALOG_REQUIRED, "doc_no", "category", "publisher", "published")
ANNUAL_COLUMN = (
    "nb"  # the standard 政府信息公开年报 column, where annual reports go unless annual_column says otherwise
)


@dataclass(frozen=True, slots=True)
class Body:
    """An issuing body (发布机构) known to the site."""

    name: str
    code: str  # 统一社会信用代码 (18) or 组织机构代码 (9); "" when not listed
    short: str
    slug: str
    normative_marks: tuple[str, ...] | None = (
        None  # 文号 marks of its 行政规范性文件 (深坪府规〔); None: the default "规〔"
    )


@dataclass(frozen=True, slots=True)
class Column:
    """A column (栏目) of the 政府信息公开 section; documents name it with `column:`."""

    key: str
    title: str
    description: str
    parent: str = ""  # key of the column this one sits under (the 第二十条 items under fdzdgknr)
    checked: date | None = None  # when an editor last confirmed the column has nothing to publish (shown when empty)
    hide_empty: bool = False  # leave the column out of navigation while it has no documents


@dataclass(frozen=True, slots=True)
class Footer:
    """The facts every government site shows at the foot of each page."""

    sponsor: str  # 主办单位
    contact: str  # 联系方式
    site_code: str  # 政府网站标识码
    icp: str  # ICP备案号
    police: str  # 公安机关备案号
    error_report_url: str = ""  # 我为政府网站找错: the national error-report page for this site
    conac_url: str = ""  # 党政机关网站标识: the page the badge links to (issued with it)
    conac_image: str = ""  # 党政机关网站标识: the badge image, a path under static/


@dataclass(frozen=True, slots=True)
class Config:
    """The validated site settings; paths are absolute."""

    path: Path
    site_name: str
    base_url: str  # absolute, ends with "/"
    bodies: tuple[Body, ...]
    columns: tuple[Column, ...]
    default_column: str
    index_form: IndexForm
    page_size: int
    home_latest: int
    footer: Footer
    extra_genres: tuple[str, ...]
    extra_categories: tuple[tuple[str, tuple[str, ...]], ...]
    content_dir: Path
    templates_dir: Path  # the site's own templates, which may be absent: see theme.search_path
    static_dir: Path  # the site's own static files, which may be absent: see theme.search_path
    output_dir: Path
    reports_dir: Path  # editor-kept annual-report data, reports/YYYY.yaml (the folder may be absent)
    allowed_hosts: frozenset[str] = frozenset()  # hosts links may point to without a warning (own host included)
    official_phones: frozenset[str] = frozenset()  # the bodies' published contact numbers, not privacy leaks
    attachment_types: frozenset[str] = frozenset()  # extensions allowed beside attachments.TYPES
    calendar: WorkCalendar = field(default_factory=national)  # working days for the 条例's deadlines
    guide: Guide = Guide()  # the 政府信息公开指南's facts (条例 art. 12)
    application: Application = Application()  # the 依申请公开 channels (条例 art. 29)
    catalog_columns: tuple[str, ...] = CATALOG_COLUMNS  # the 目录's columns, in order
    metadata: Metadata = Metadata()  # the metadata block's labels and where it shows 有效性
    annual_column: str = ANNUAL_COLUMN  # the key of the column the annual reports are published in
    warnings: tuple[Problem, ...] = field(default=(), compare=False)  # e.g. missing footer facts

    @property
    def base_path(self) -> str:
        """The URL path the site lives under, such as "/" or "/xxgk/"."""
        return urlsplit(self.base_url).path

    def body_named(self, name: str) -> Body | None:
        return next((b for b in self.bodies if b.name == name), None)

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key or c.title == key), None)


STANDARD_COLUMNS = (
    Column("zn", "政府信息公开指南", "公开的范围、方式、程序，以及申请公开的办法。"),
    Column("zd", "政府信息公开制度", "本机关政府信息公开工作的制度规定。"),
    Column("fdzdgknr", "法定主动公开内容", "依照《中华人民共和国政府信息公开条例》第二十条等规定主动公开的政府信息。"),
    Column(ANNUAL_COLUMN, "政府信息公开年报", "政府信息公开工作年度报告。"),
    Column("ysqgk", "依申请公开", "依申请公开政府信息的受理机构、申请方式与办理流程。"),
    # 条例 (2019) art. 20's fifteen items under 法定主动公开内容; shown once they hold a document.
    *(
        Column(key, title, f"《条例》第二十条第（{item}）项：{what}", "fdzdgknr", None, True)
        for key, title, item, what in (
            ("gfxwj", "规章和规范性文件", "一", "行政法规、规章和规范性文件。"),
            ("jgzn", "机构职能", "二", "机关职能、机构设置、办公地址、办公时间、联系方式、负责人姓名。"),
            ("ghxx", "规划信息", "三", "国民经济和社会发展规划、专项规划、区域规划及相关政策。"),
            ("tjxx", "统计信息", "四", "国民经济和社会发展统计信息。"),
            ("xzxk", "行政许可", "五", "办理行政许可和其他对外管理服务事项的依据、条件、程序以及办理结果。"),
            (
                "xzcf",
                "行政处罚和行政强制",
                "六",
                "实施行政处罚、行政强制的依据、条件、程序以及本行政机关认为具有一定社会影响的行政处罚决定。",
            ),
            ("czyjs", "财政预算决算", "七", "财政预算、决算信息。"),
            ("xzsf", "行政事业性收费", "八", "行政事业性收费项目及其依据、标准。"),
            ("zfcg", "政府集中采购", "九", "政府集中采购项目的目录、标准及实施情况。"),
            ("zdxm", "重大建设项目", "十", "重大建设项目的批准和实施情况。"),
            (
                "msxx",
                "扶贫、教育、医疗、社保、就业",
                "十一",
                "扶贫、教育、医疗、社会保障、促进就业等方面的政策、措施及其实施情况。",
            ),
            ("yjgl", "突发公共事件", "十二", "突发公共事件的应急预案、预警信息及应对情况。"),
            ("jdjc", "监督检查", "十三", "环境保护、公共卫生、安全生产、食品药品、产品质量的监督检查情况。"),
            ("gwyzk", "公务员招考", "十四", "公务员招考的职位、名额、报考条件等事项以及录用结果。"),
            ("qtxx", "其他法定公开信息", "十五", "法律、法规、规章和国家有关规定规定应当主动公开的其他政府信息。"),
        )
    ),
)

_TOP_KEYS = [
    "site_name",
    "base_url",
    "bodies",
    "columns",
    "default_column",
    "annual_column",
    "index_no",
    "page_size",
    "home_latest",
    "footer",
    "genres",
    "categories",
    "paths",
    "lint",
    "attachment_types",
    "working_days",
    "guide",
    "application",
    "catalog",
    "metadata",
]
_LINT_KEYS = ["allowed_hosts", "official_phones"]
_BODY_KEYS = ["name", "code", "short", "slug", "normative_marks"]
_COLUMN_KEYS = ["key", "title", "description", "parent", "checked", "hide_empty"]
_FOOTER_LABELS = {
    "sponsor": "主办单位",
    "contact": "联系方式",
    "site_code": "政府网站标识码",
    "icp": "ICP备案号",
    "police": "公安机关备案号",
}
_FOOTER_KEYS = [*_FOOTER_LABELS, "error_report_url", "conac_url", "conac_image"]
# The national 政府网站找错 platform (政府网站与政务新媒体检查), addressed by the site's 政府网站标识码.
ERROR_REPORT_URL = "https://zfwzzc.www.gov.cn/check_web/errorInfo_querySiteInfo.action?websiteCode={site_code}"
_INDEX_KEYS = ["form", "serial_digits"]
_PATH_KEYS = ["content", "templates", "static", "output", "reports"]
_WORKING_DAY_KEYS = ["holidays", "workdays", "years"]
_CATALOG_KEYS = ["columns"]


_LIMIT_BYTES = 2**20  # a site's settings fill a few kilobytes


def load_config(path: Path, *, content_dir: Path | None = None, output_dir: Path | None = None) -> Config:
    """Read and validate config.yaml; command-line folders override the configured ones."""
    shown = shown_path(path)
    try:
        # Read like every input: a folder, FIFO or device given as --config is refused, never opened.
        text = sources.read_bytes(path, _LIMIT_BYTES).decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    except sources.Unreadable as exc:
        if not path.exists():
            raise ConfigError(
                [
                    Problem(
                        shown,
                        None,
                        "找不到配置文件。请在站点根目录运行，或用 --config 指定 config.yaml。",
                        "config-missing",
                    )
                ]
            ) from None
        # a folder (--config /etc), a FIFO or device, no permission, a broken link
        raise ConfigError(
            [
                Problem(
                    shown,
                    None,
                    f"无法读取配置文件：{exc.reason}。请用 --config 指定 config.yaml 文件。",
                    "config-unreadable",
                )
            ]
        ) from None
    except UnicodeDecodeError:
        raise ConfigError(
            [Problem(shown, None, "配置文件不是 UTF-8 编码，请另存为 UTF-8。", "config-encoding")]
        ) from None
    root, problems = yamltree.parse(text, shown)
    if root is None and not problems:
        problems.append(
            Problem(shown, 1, "配置文件是空的。请参照 README 填写 site_name、base_url 等设置。", "config-empty")
        )
    raise_if_errors(problems, ConfigError)
    reader = FieldReader(shown)
    config = _read(reader, root, path.resolve().parent, path, content_dir, output_dir)
    raise_if_errors(reader.problems, ConfigError)
    assert config is not None
    return replace(config, warnings=tuple(reader.problems))


def _read(
    reader: FieldReader, root: Node, folder: Path, path: Path, content_dir: Path | None, output_dir: Path | None
) -> Config | None:
    top = reader.mapping(root, "配置文件", _TOP_KEYS)
    if top is None:
        return None
    for required in ("site_name", "base_url"):
        if required not in top:
            reader.report(1, f"缺少必填设置“{required}”。", "config-required")
    site_name = reader.text(top["site_name"], "site_name") if "site_name" in top else None
    base_url = _base_url(reader, top["base_url"]) if "base_url" in top else None
    bodies = _bodies(reader, top.get("bodies"))
    columns = _columns(reader, top.get("columns"))
    default_column = _default_column(reader, top.get("default_column"), columns)
    annual_column = (
        _column_key(reader, top["annual_column"], "annual_column", columns) if "annual_column" in top else ANNUAL_COLUMN
    )
    index_form = _index_form(reader, top.get("index_no"))
    page_size = reader.integer(top["page_size"], "page_size", 5, 500) if "page_size" in top else 20
    home_latest = reader.integer(top["home_latest"], "home_latest", 1, 100) if "home_latest" in top else 10
    footer = _footer(reader, top.get("footer"))
    genres = _strings(reader, top.get("genres"), "genres")
    categories = _categories(reader, top.get("categories"))
    paths = _paths(reader, top.get("paths"), folder)
    lint = (reader.mapping(top["lint"], "lint", _LINT_KEYS) or {}) if "lint" in top else {}
    hosts = frozenset(
        [
            *_strings(reader, lint.get("allowed_hosts"), "allowed_hosts"),
            *(urlsplit(base_url).hostname for _ in [0] if base_url),
        ]
    )
    phones = frozenset(_strings(reader, lint.get("official_phones"), "official_phones"))
    attachment_types = _attachment_types(reader, top.get("attachment_types"))
    calendar = _calendar(reader, top.get("working_days"))
    guide, application = read_guide(reader, top.get("guide")), read_application(reader, top.get("application"))
    catalog_columns = _catalog_columns(reader, top.get("catalog"))
    metadata = read_metadata(reader, top.get("metadata"))
    if content_dir is not None:
        paths["content"] = content_dir
    _check_folders(reader, paths, top.get("paths"))
    output = output_folder.absolute(output_dir if output_dir is not None else paths["output"])
    _check_output(reader, output, paths, folder, top.get("paths"), from_option=output_dir is not None)
    if footer.conac_image and not (paths["static"] / footer.conac_image).is_file():
        reader.report(
            top["footer"].line,
            f"footer.conac_image“{footer.conac_image}”在 static/ 中不存在：请把党政机关网站标识图片放到"
            f" {paths['static'] / footer.conac_image}，或改正路径。",
            "config-footer-image",
        )
    if reader.problems and any(p.is_error for p in reader.problems):
        return None
    return Config(
        path=path.resolve(),
        site_name=site_name,
        base_url=base_url,
        bodies=bodies,
        columns=columns,
        default_column=default_column,
        index_form=index_form,
        page_size=page_size,
        home_latest=home_latest,
        footer=footer,
        extra_genres=genres,
        extra_categories=categories,
        content_dir=paths["content"].resolve(),
        templates_dir=paths["templates"],
        static_dir=paths["static"],
        output_dir=output,
        reports_dir=paths["reports"],
        allowed_hosts=hosts,
        official_phones=phones,
        attachment_types=attachment_types,
        calendar=calendar,
        guide=guide,
        application=application,
        catalog_columns=catalog_columns,
        metadata=metadata,
        annual_column=annual_column,
    )


def _base_url(reader: FieldReader, node: Node) -> str | None:
    value = reader.text(node, "base_url")
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        reader.report(
            node.line, f"base_url“{value}”应为完整网址，例如 https://www.example.gov.cn/xxgk/。", "config-base-url"
        )
        return None
    if not value.endswith("/"):
        reader.report(node.line, f"base_url 必须以“/”结尾（例如 {value}/），站点位于该路径之下。", "config-base-url")
        return None
    return value


def _bodies(reader: FieldReader, node: Node | None) -> tuple[Body, ...]:
    if node is None:
        return ()
    bodies: list[Body] = []
    for item in reader.items(node, "bodies") or []:
        fields = reader.mapping(item, "bodies 的一项", _BODY_KEYS)
        if fields is None:
            continue
        if "name" not in fields:
            reader.report(item.line, "bodies 的每一项都需要 name（机构全称）。", "config-required")
            continue
        name = reader.text(fields["name"], "name") or ""
        code = reader.optional_text(fields.get("code"), "code")
        if code and not re.fullmatch(r"[0-9A-Z]{9}|[0-9A-Z]{18}", code):
            reader.report(
                fields["code"].line,
                f"机构代码“{code}”应为 18 位统一社会信用代码或 9 位组织机构代码（大写字母和数字）。",
                "config-body-code",
            )
        short = reader.optional_text(fields.get("short"), "short") or name
        slug = reader.optional_text(fields.get("slug"), "slug") or slugify(short)
        if any(b.name == name for b in bodies):
            reader.report(item.line, f"机构“{name}”重复列出。", "config-duplicate")
        marks = reader.strings(fields["normative_marks"], "normative_marks") if "normative_marks" in fields else None
        bodies.append(Body(name, code, short, slug, marks))
    return tuple(bodies)


def _columns(reader: FieldReader, node: Node | None) -> tuple[Column, ...]:
    if node is None:
        return STANDARD_COLUMNS
    columns: list[Column] = []
    for item in reader.items(node, "columns") or []:
        fields = reader.mapping(item, "columns 的一项", _COLUMN_KEYS)
        if fields is None:
            continue
        if "key" not in fields or "title" not in fields:
            reader.report(
                item.line, "columns 的每一项都需要 key（网址用的英文小写标识）和 title（栏目名称）。", "config-required"
            )
            continue
        key = reader.text(fields["key"], "key") or ""
        if key and not _COLUMN_KEY.fullmatch(key):
            reader.report(
                fields["key"].line,
                f"栏目 key“{key}”只能由小写字母、数字和“-”组成（它会出现在网址中）。",
                "config-column-key",
            )
        if any(c.key == key for c in columns):
            reader.report(item.line, f"栏目 key“{key}”重复。", "config-duplicate")
        title = reader.text(fields["title"], "title") or ""
        checked = reader.day(fields["checked"], "checked") if "checked" in fields else None
        hide = reader.boolean(fields["hide_empty"], "hide_empty") is True if "hide_empty" in fields else False
        columns.append(
            Column(
                key,
                title,
                reader.optional_text(fields.get("description"), "description"),
                reader.optional_text(fields.get("parent"), "parent"),
                checked,
                hide,
            )
        )
    for column in columns:
        if column.parent and not any(c.key == column.parent and not c.parent for c in columns):
            reader.report(
                node.line, f"栏目“{column.key}”的 parent“{column.parent}”不是已配置的一级栏目 key。", "config-column"
            )
    return tuple(columns)


def _default_column(reader: FieldReader, node: Node | None, columns: tuple[Column, ...]) -> str:
    if node is None:
        return "fdzdgknr" if any(c.key == "fdzdgknr" for c in columns) else (columns[0].key if columns else "")
    return _column_key(reader, node, "default_column", columns)


def _column_key(reader: FieldReader, node: Node, setting: str, columns: tuple[Column, ...]) -> str:
    """A setting that names a column (default_column, annual_column): the key of a configured column."""
    key = reader.text(node, setting) or ""
    if key and not any(c.key == key for c in columns):
        reader.report(node.line, f"{setting}“{key}”不是已配置的栏目 key。", "config-column")
    return key


def _index_form(reader: FieldReader, node: Node | None) -> IndexForm:
    if node is None:
        return parse_index_form("{code}/{year}-{serial}", 5)
    fields = reader.mapping(node, "index_no", _INDEX_KEYS) or {}
    template = reader.text(fields["form"], "form") if "form" in fields else "{code}/{year}-{serial}"
    digits = reader.integer(fields["serial_digits"], "serial_digits", 1, 10) if "serial_digits" in fields else 5
    try:
        return parse_index_form(template or "{code}/{year}-{serial}", digits or 5)
    except ValueError as exc:
        reader.report(
            fields["form"].line if "form" in fields else node.line, f"索引号格式无效：{exc}", "config-index-form"
        )
        return parse_index_form("{code}/{year}-{serial}", 5)


def _footer(reader: FieldReader, node: Node | None) -> Footer:
    fields = (reader.mapping(node, "footer", _FOOTER_KEYS) or {}) if node is not None else {}
    values = {key: reader.optional_text(fields.get(key), key) for key in _FOOTER_KEYS}
    line = node.line if node else 1
    for key, label in _FOOTER_LABELS.items():
        if not values[key]:
            reader.warn(line, f"页脚缺少“{label}”（footer.{key}），政府网站应在每页显示。", "config-footer")
    if not values["error_report_url"] and values["site_code"]:
        values["error_report_url"] = ERROR_REPORT_URL.format(site_code=values["site_code"])
    return Footer(**values)


def _catalog_columns(reader: FieldReader, node: Node | None) -> tuple[str, ...]:
    """The 目录's columns: art. 12's 索引号, 名称, 内容概述 and 生成日期 are always shown; the others are a choice."""
    if node is None:
        return CATALOG_COLUMNS
    fields = reader.mapping(node, "catalog", _CATALOG_KEYS) or {}
    columns = reader.strings(fields.get("columns"), "catalog.columns")
    for column in columns:
        if column not in CATALOG_COLUMNS:
            reader.report(
                fields["columns"].line, f"目录列“{column}”无效，可选：{'、'.join(CATALOG_COLUMNS)}。", "config-catalog"
            )
    missing = [c for c in CATALOG_REQUIRED if c not in columns]
    if columns and missing:
        reader.report(
            fields["columns"].line,
            f"目录必须包含 {'、'.join(missing)} 列：《政府信息公开条例》第十二条规定目录包括"
            "信息的索引、名称、内容概述、生成日期。",
            "config-catalog",
        )
    return tuple(dict.fromkeys(columns)) or CATALOG_COLUMNS


def _calendar(reader: FieldReader, node: Node | None) -> WorkCalendar:
    """The State Council's working-day calendar with the site's local holidays, make-up days and years added."""
    if node is None:
        return national()
    fields = reader.mapping(node, "working_days", _WORKING_DAY_KEYS) or {}

    def listed(key: str, read) -> frozenset:
        items = reader.items(fields[key], f"working_days.{key}") or [] if key in fields else []
        return frozenset(value for value in (read(item, f"working_days.{key}") for item in items) if value)

    return national().extended(
        listed("holidays", reader.day),
        listed("workdays", reader.day),
        listed("years", lambda item, label: reader.integer(item, label, 1990, 2100)),
    )


def _strings(reader: FieldReader, node: Node | None, label: str) -> tuple[str, ...]:
    return reader.strings(node, label)


def _attachment_types(reader: FieldReader, node: Node | None) -> frozenset[str]:
    """Extensions an editor's site publishes beside the standard attachment types; script-capable ones are refused."""
    allowed = set()
    for item in (reader.items(node, "attachment_types") or []) if node is not None else []:
        extension = reader.text(item, "attachment_types")
        refusal = attachments.type_refusal(extension) if extension is not None else None
        if refusal:
            reader.report(item.line, refusal, "config-attachment-type")
        elif extension:
            allowed.add(extension)
    return frozenset(allowed)


def _categories(reader: FieldReader, node: Node | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if node is None:
        return ()
    if not isinstance(node.value, dict):
        reader.report(node.line, "categories 应为“一级分类: [二级分类, …]”形式。", "type-mapping")
        return ()
    tree = []
    for top, children in node.value.items():
        subs = () if children.value is None else _strings(reader, children, f"categories.{top}")
        tree.append((top, subs))
    return tuple(tree)


def _paths(reader: FieldReader, node: Node | None, folder: Path) -> dict[str, Path]:
    defaults = {
        "content": "content",
        "templates": "templates",
        "static": "static",
        "output": "site",
        "reports": "reports",
    }
    fields = (reader.mapping(node, "paths", _PATH_KEYS) or {}) if node is not None else {}
    for key in fields.keys() & defaults.keys():
        if fields[key].value in (None, ""):
            reader.report(
                fields[key].line,
                f"paths.{key} 不能为空：空值会被当作 config.yaml 所在的文件夹。请写出文件夹名，或删去这一行使用默认值“{defaults[key]}”。",  # noqa: E501
                "config-folder",
            )
    return {key: folder / (reader.optional_text(fields.get(key), key) or default) for key, default in defaults.items()}


_INPUT_LABELS = {
    "content": "文档文件夹",
    "templates": "模板文件夹",
    "static": "静态资源文件夹",
    "reports": "年报数据文件夹",
}


def _check_output(
    reader: FieldReader, output: Path, paths: dict[str, Path], project: Path, node: Node | None, *, from_option: bool
) -> None:
    """The output folder is replaced by every build, so it must be one the build may replace (output_folder's rules)."""
    inputs = {f"{label} {paths[key].name}": paths[key] for key, label in _INPUT_LABELS.items()}
    reason = output_folder.refusal(output, inputs, project)
    if reason is None:
        return
    fields = node.value if node is not None and isinstance(node.value, dict) else {}
    if from_option:
        reader.problems.append(Problem("--out", None, f"输出文件夹“{output}”{reason}", "config-output"))
    else:
        reader.report(
            fields["output"].line if "output" in fields else 1,
            f"输出文件夹（paths.output）“{output}”{reason}",
            "config-output",
        )


_FOLDER_LABELS = {"content": "文档文件夹", "templates": "模板文件夹", "static": "静态资源文件夹"}


def _check_folders(reader: FieldReader, paths: dict[str, Path], node: Node | None) -> None:
    """The folders a build reads must exist: a missing one would silently give an empty site or unstyled pages.

    A site without templates/ or static/ uses the default theme's, so only a configured one must exist."""
    fields = node.value if node is not None and isinstance(node.value, dict) else {}
    for key, label in _FOLDER_LABELS.items():
        if not paths[key].is_dir() and (key == "content" or key in fields):
            line = fields[key].line if key in fields else 1
            hint = "，或用 --content 指定文档文件夹" if key == "content" else ""
            reader.report(
                line,
                f"{label}“{paths[key]}”不存在。请检查 config.yaml 中 paths.{key} 的设置（相对于 config.yaml 所在的文件夹）{hint}。",  # noqa: E501
                "config-folder",
            )
