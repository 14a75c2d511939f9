"""Frozen, slotted dataclasses that unpickle quickly: the build cache holds several of them per document, and a build
reads them back for every unchanged document."""

from __future__ import annotations

import dataclasses
from typing import TypeVar

Class = TypeVar("Class", bound=type)


def quick_state(cls: Class) -> Class:
    """Give a frozen slotted dataclass a __setstate__ that sets its fields from the pickled state in one loop; the
    state is the one dataclasses' own __getstate__ makes (every field's value, in order)."""
    # dataclasses' own __setstate__ calls fields() again for every object unpickled: most of the time it takes.
    names = tuple(field.name for field in dataclasses.fields(cls))
    set_field = object.__setattr__

    def __setstate__(self, state) -> None:
        for name, value in zip(names, state, strict=True):
            set_field(self, name, value)

    cls.__setstate__ = __setstate__
    return cls
