"""Frozen, slotted dataclasses that pickle and unpickle quickly: the build cache holds several of them per document,
writes them for every document read and reads them back for every unchanged one."""

from __future__ import annotations

import dataclasses
import operator
from typing import TypeVar

Class = TypeVar("Class", bound=type)


def quick_state(cls: Class) -> Class:
    """Give a frozen slotted dataclass a __getstate__ and __setstate__ that read and set its fields (every field's
    value, in order, as dataclasses' own do) with the field names looked up once."""
    # dataclasses' own methods call fields() again for every object pickled or unpickled: most of their time.
    names = tuple(field.name for field in dataclasses.fields(cls))
    get_fields = operator.attrgetter(*names)
    # Each slot's own setter (what object.__setattr__ finds on the class for every call), which also goes past the
    # frozen dataclass's __setattr__: a quarter quicker.
    setters = tuple(getattr(cls, name).__set__ for name in names)

    def __getstate__(self) -> tuple:
        return get_fields(self) if len(names) > 1 else (get_fields(self),)

    def __setstate__(self, state) -> None:
        for setter, value in zip(setters, state, strict=True):
            setter(self, value)

    cls.__getstate__, cls.__setstate__ = __getstate__, __setstate__
    return cls
