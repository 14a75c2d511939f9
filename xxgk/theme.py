"""The default theme and a site's overrides: which templates folders and static folders a build reads, in order.

A site's own templates/ and static/ override the default theme file by file (the lookup Hugo and MkDocs use):
a file the site has wins, and the default theme provides every file the site does not have.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def default_folder(kind: str) -> Path:
    """The default theme's "templates" or "static" folder: inside the installed package, else the checkout's top
    level."""
    # pyproject.toml packs the repository's top-level templates/ and static/ into the wheel as xxgk/default_theme/*;
    # a source checkout (and an editable install) reads them where they are.
    packaged = _PACKAGE / "default_theme" / kind
    return packaged if packaged.is_dir() else _PACKAGE.parent / kind


def search_path(site_folder: Path, kind: str) -> list[Path]:
    """The folders to look a file up in, first hit wins: the site's own (when it exists), then the default theme."""
    default = default_folder(kind)
    if site_folder.is_dir() and site_folder.resolve() != default.resolve():
        return [site_folder, default]
    return [default]
