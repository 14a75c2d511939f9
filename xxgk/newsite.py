"""`init`: write a new portal (config, an example document, .gitignore, pre-commit and CI configs) into an empty
folder."""

from __future__ import annotations

from pathlib import Path

from . import __version__
from .errors import BuildError, Problem, shown_path

_SKELETON = Path(__file__).resolve().parent / "data" / "newsite"

# Skeleton file -> where it goes in the new site. Dotted names are spelt out here so the package's own tools
# (git, the wheel builder) never treat the skeleton's files as their own configuration.
FILES = {
    "config.yaml": "config.yaml",
    "content/fdzdgknr/example.md": "content/fdzdgknr/example.md",
    "gitignore": ".gitignore",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "github-workflow.yml": ".github/workflows/xxgk.yml",
}


def create(folder: Path) -> list[Path]:
    """Write the new site's files into folder (made if absent) and return them; refuses a folder that is not empty."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BuildError(
            [
                Problem(
                    shown_path(folder),
                    None,
                    "文件夹已存在且不是空的，未写入任何文件。请指定一个新的或空的文件夹。",
                    "init-not-empty",
                )
            ]
        )
    written = []
    for source, target in FILES.items():
        path = folder / target
        path.parent.mkdir(parents=True, exist_ok=True)
        text = (_SKELETON / source).read_text(encoding="utf-8")
        path.write_text(text.replace("@XXGK_VERSION@", __version__), encoding="utf-8")
        written.append(path)
    return written
