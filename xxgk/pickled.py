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
    are pickled as their UTF-8 bytes and decoded only when first read (see _Utf8Field): for long texts, such as a
    document's body, which most builds never read of an unchanged document."""
    if cls is None:
        return lambda cls: _quick_state(cls, as_bytes)
    return _quick_state(cls, as_bytes)


def _quick_state(cls: Class, as_bytes: tuple[str, ...]) -> Class:
    # dataclasses' own methods call fields() again for every object pickled or unpickled: most of their time.
    names = tuple(field.name for field in dataclasses.fields(cls))
    # Each field's slot, read and set with its own descriptor (what object.__setattr__ finds on the class for every
    # call), which also goes past the frozen dataclass's __setattr__: a quarter quicker. A text's slot may hold its
    # UTF-8 bytes, which are pickled as they are.
    slots = tuple(getattr(cls, name) for name in names)
    for name in as_bytes:
        setattr(cls, name, _Utf8Field(getattr(cls, name)))
    getters = tuple(slot.__get__ for slot in slots)
    texts = tuple(names.index(name) for name in as_bytes)

    def __getstate__(self) -> tuple:
        state = [get(self) for get in getters]
        for position in texts:
            state[position] = _utf8(state[position])
        return tuple(state)

    if not texts:  # attrgetter reads every field at C speed
        get_fields = operator.attrgetter(*names)

        def __getstate__(self) -> tuple:
            return get_fields(self) if len(names) > 1 else (get_fields(self),)

    cls.__getstate__, cls.__setstate__ = __getstate__, _setstate(names, tuple(slot.__set__ for slot in slots))
    return cls


def _setstate(names: tuple[str, ...], setters: tuple) -> Callable[[object, tuple], None]:
    """A __setstate__ that sets each field with its slot's setter (texts stay the UTF-8 bytes they were pickled as)."""
    # Written out field by field, as dataclasses writes its __init__: a loop over the fields (zip, and each text set
    # twice) took a sixth of unpickling a cache entry, and a build reads back the entry of every unchanged document.
    values = ", ".join(f"v{i}" for i in range(len(names)))
    lines = ["def __setstate__(self, state):", f"    {values}, = state"]
    lines += [f"    set{i}(self, v{i})" for i in range(len(names))]
    scope = {f"set{i}": setter for i, setter in enumerate(setters)}
    exec("\n".join(lines), scope)
    return scope["__setstate__"]


class _Utf8Field:
    """A str field whose slot may hold the text's UTF-8 bytes, as unpickled: read, it is decoded once and the slot
    then holds the str. A build reads back every unchanged document from its cache but shows the body of few of
    them; decoding every body took a quarter of reading them back."""

    def __init__(self, slot):
        self.slot = slot  # the member descriptor dataclasses made for the field's slot

    def __get__(self, obj: object, owner: type | None = None) -> object:
        if obj is None:
            return self
        value = self.slot.__get__(obj, owner)
        if isinstance(value, bytes):
            value = value.decode("utf-8", "surrogatepass")
            self.slot.__set__(obj, value)
        return value

    def __set__(self, obj: object, value: object) -> None:
        self.slot.__set__(obj, value)


def _utf8(text: str | bytes) -> bytes:
    """text's UTF-8 bytes (text itself when it still is the bytes it was unpickled as), made without keeping them in
    the str object."""
    # Pickling a str asks CPython for its UTF-8 form, which the str then keeps for as long as it lives: pickling a
    # build's documents for the cache would double the memory their texts take. str.encode keeps nothing.
    return text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
