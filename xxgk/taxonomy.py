"""The theme tree (主题分类): the shipped State Council tree plus a site's own additions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

_SHIPPED = Path(__file__).with_name("data") / "categories.txt"


@dataclass(frozen=True, slots=True)
class CategoryTree:
    """Known 一级 categories, each with its 二级 categories, in display order."""

    branches: tuple[tuple[str, tuple[str, ...]], ...]

    def contains(self, category: str) -> bool:
        """Whether `一级` or `一级\\二级` names a category of the tree."""
        top, _, sub = category.partition("\\")
        children = dict(self.branches).get(top)
        return children is not None and (not sub or sub in children)

    def names(self) -> list[str]:
        """Every category written as editors write it, for did-you-mean hints."""
        return [n for top, subs in self.branches for n in (top, *(f"{top}\\{s}" for s in subs))]

    def order(self, top: str) -> int:
        tops = [t for t, _ in self.branches]
        return tops.index(top) if top in tops else len(tops)


def load_tree(extra: tuple[tuple[str, tuple[str, ...]], ...] = ()) -> CategoryTree:
    """The shipped tree with the config's categories merged in (new 二级 names extend a known 一级)."""
    branches: dict[str, tuple[str, ...]] = {}
    for line in _SHIPPED.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            top, _, subs = line.partition("\t")
            branches[top] = tuple(subs.split())
    for top, subs in extra:
        known = branches.get(top, ())
        branches[top] = known + tuple(s for s in subs if s not in known)
    return CategoryTree(tuple(branches.items()))
