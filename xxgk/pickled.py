"""Frozen, slotted dataclasses that pickle and unpickle quickly: the build cache holds several of them per document,
writes them for every document read and reads them back for every unchanged one."""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable
from typing import TypeVar

Class = TypeVar("Class", bound=type)


def quick_state(cls: Class | None = None, *, as_bytes: tuple[str, ...] = ()) -> Class | Callable[[Class], Class]:
    """Give a frozen slotted dataclass a __getstate__ and __setstate__ that read and set its fields (every field's
    value, in order, as dataclasses' own do) with the field names looked up once. The str fields named in as_bytes
    are pickled as their UTF-8 bytes (see _utf8): for long texts, such as a document's body."""
    if cls is None:
        return lambda cls: _quick_state(cls, as_bytes)
    return _quick_state(cls, as_bytes)


def _quick_state(cls: Class, as_bytes: tuple[str, ...]) -> Class:
    # dataclasses' own methods call fields() again for every object pickled or unpickled: most of their time.
    names = tuple(field.name for field in dataclasses.fields(cls))
    get_fields = operator.attrgetter(*names)
    # Each slot's own setter (what object.__setattr__ finds on the class for every call), which also goes past the
    # frozen dataclass's __setattr__: a quarter quicker.
    setters = tuple(getattr(cls, name).__set__ for name in names)
    texts = tuple(names.index(name) for name in as_bytes)

    def __getstate__(self) -> tuple:
        state = get_fields(self) if len(names) > 1 else (get_fields(self),)
        if not texts:
            return state
        state = list(state)
        for position in texts:
            state[position] = _utf8(state[position])
        return tuple(state)

    cls.__getstate__, cls.__setstate__ = __getstate__, _setstate(names, setters, texts)
    return cls


def _setstate(names: tuple[str, ...], setters: tuple, texts: tuple[int, ...]) -> Callable[[object, tuple], None]:
    """A __setstate__ that sets each field with its slot's setter, decoding the fields at texts from UTF-8."""
    # Written out field by field, as dataclasses writes its __init__: a loop over the fields (zip, and each text set
    # twice) took a sixth of unpickling a cache entry, and a build reads back the entry of every unchanged document.
    values = ", ".join(f"v{i}" for i in range(len(names)))
    lines = ["def __setstate__(self, state):", f"    {values}, = state"]
    for i in range(len(names)):
        value = f"v{i}.decode('utf-8', 'surrogatepass')" if i in texts else f"v{i}"
        lines.append(f"    set{i}(self, {value})")
    scope = {f"set{i}": setter for i, setter in enumerate(setters)}
    exec("\n".join(lines), scope)
    return scope["__setstate__"]


def _utf8(text: str) -> bytes:
    """text's UTF-8 bytes, made without keeping them in the str object."""
    # Pickling a str asks CPython for its UTF-8 form, which the str then keeps for as long as it lives: pickling a
    # build's documents for the cache would double the memory their texts take. str.encode keeps nothing.
    return text.encode("utf-8", "surrogatepass")
