"""Which folder a build may replace: one that does not exist, is empty, or was made by this tool (it holds our manifest
and no .git).

A build replaces its output folder as a whole, so a wrong `--out` or `paths.output` would delete what
was there. These rules run when the config is read, before any file is touched, for build, serve and
check alike.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path

from .manifest import MANIFEST

# The first line of a manifest this tool writes: `<sha256>  <path>` (sha256sum's format).
_MANIFEST_LINE = re.compile(rb"[0-9a-f]{64}  [^\n]+\n")
_ADVICE = (
    "构建会用新站点整体替换输出文件夹，为免误删其中的文件，本次没有改动任何文件。"
    "请在 config.yaml 的 paths.output 或 --out 中改用一个新的文件夹（例如 site）。"
)


def absolute(path: Path) -> Path:
    """path made absolute with its folders resolved but its own name kept, so a symlinked output stays visible."""
    path = path.absolute()
    return path.resolve() if path.name in ("", "..") else path.parent.resolve() / path.name


def refusal(out_dir: Path, inputs: dict[str, Path], project: Path) -> str | None:
    """Why out_dir (from `absolute`) may not be replaced, in Chinese, or None when it may.

    `inputs` maps a label (“文档文件夹 content”) to each folder the build reads; `project` is the config's folder.
    """
    if out_dir.is_symlink():
        return f"是符号链接（指向 {out_dir.resolve()}）。请直接写出它指向的真实文件夹。{_ADVICE}"
    resolved = out_dir.resolve()
    reason = _overlap(resolved, inputs, project) or _occupant(resolved)
    return f"{reason}{_ADVICE}" if reason else None


def _overlap(out_dir: Path, inputs: dict[str, Path], project: Path) -> str | None:
    """The output must not hold the project, the home folder or `/`, nor be, hold or lie inside an input folder."""
    home = Path.home().resolve()
    if out_dir == Path(out_dir.anchor) or home.is_relative_to(out_dir):
        return "是根目录或用户主目录（或包含主目录）。"
    if project.is_relative_to(out_dir):
        return f"是站点项目文件夹（{project}，config.yaml 所在之处）本身或包含它。"
    for label, folder in inputs.items():
        folder = folder.resolve()
        if folder.is_relative_to(out_dir) or out_dir.is_relative_to(folder):
            return f"与{label}（{folder}）重叠：是它本身、包含它或位于它之中。"
    return None


def _occupant(out_dir: Path) -> str | None:
    """An existing output must be a folder this tool made (its manifest is there) or an empty one."""
    try:
        mode = out_dir.lstat().st_mode
    except FileNotFoundError:
        return None
    if not stat.S_ISDIR(mode):
        return "已存在，但它是一个文件而不是文件夹。"
    try:
        if (out_dir / ".git").exists():  # a built site kept under version control: replacing it loses the history
            return "是一个 git 版本库（其中有 .git），替换会删除版本历史。"
        if not any(out_dir.iterdir()) or _has_our_manifest(out_dir):
            return None
    except OSError:
        return "已存在，但无法读取其中的内容（没有权限）。"
    return f"已存在，但不是本工具生成的（其中没有构建清单 {MANIFEST}）。"


def _has_our_manifest(out_dir: Path) -> bool:
    manifest = out_dir / MANIFEST
    if not manifest.is_file() or manifest.is_symlink():
        return False
    with manifest.open("rb") as handle:
        return _MANIFEST_LINE.match(handle.readline(4096)) is not None
