"""Frozen, slotted dataclasses that pickle and unpickle quickly: the build cache holds several of them per document,
writes them for every document read and reads them back for every unchanged one."""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable
from typing import TypeVar

Class = TypeVar("Class", bound=type)


def quick_state(
    cls: Class | None = None, *, as_bytes: tuple[str, ...] = (), deferrable: tuple[str, ...] = ()
) -> Class | Callable[[Class], Class]:
    """Give a frozen slotted dataclass a __getstate__ and __setstate__ that read and set its fields (every field's
    value, in order, as dataclasses' own do) with the field names looked up once. The str fields named in as_bytes
    are pickled as their UTF-8 bytes and decoded only when first read; the fields named in deferrable may hold a
    Pending, which fills them when one of them is first read (see _Field): for long texts, such as a document's
    body, which most builds never read of an unchanged document."""
    if cls is None:
        return lambda cls: _quick_state(cls, as_bytes, deferrable)
    return _quick_state(cls, as_bytes, deferrable)


class Pending:
    """Stands in the deferrable fields of an object until one of them is read; fill() must then set every one it
    stands in (through slot_setter), or raise."""

    def fill(self, obj: object) -> None:
        raise NotImplementedError


def slot_setter(cls: type, name: str) -> Callable[[object, object], None]:
    """The setter of a field's own slot, which takes a field's value as it is (bytes, a Pending) and bypasses frozen."""
    found = cls.__dict__[name]
    return (found.slot if isinstance(found, _Field) else found).__set__


def slot_getter(cls: type, name: str) -> Callable[[object], object]:
    """The getter of a field's own slot: its value as held (UTF-8 bytes not decoded, a Pending not filled)."""
    found = cls.__dict__[name]
    return (found.slot if isinstance(found, _Field) else found).__get__


def _quick_state(cls: Class, as_bytes: tuple[str, ...], deferrable: tuple[str, ...]) -> Class:
    # dataclasses' own methods call fields() again for every object pickled or unpickled: most of their time.
    names = tuple(field.name for field in dataclasses.fields(cls))
    # Each field's slot, read and set with its own descriptor (what object.__setattr__ finds on the class for every
    # call), which also goes past the frozen dataclass's __setattr__: a quarter quicker. A text's slot may hold its
    # UTF-8 bytes, which are pickled as they are.
    slots = tuple(getattr(cls, name) for name in names)
    for name in dict.fromkeys(as_bytes + deferrable):
        setattr(cls, name, _Field(getattr(cls, name), utf8=name in as_bytes))
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


class _Field:
    """A field whose slot may hold a Pending, filled when the field is first read, and, for a str field (utf8), the
    text's UTF-8 bytes as unpickled, decoded once when read (the slot then holds the str). A build reads back every
    unchanged document from its cache but shows the body of few of them: decoding every body took a quarter of
    reading them back, and reading them back at all half of it."""

    def __init__(self, slot, *, utf8: bool):
        self.slot, self.utf8 = slot, utf8  # the member descriptor dataclasses made for the field's slot

    def __get__(self, obj: object, owner: type | None = None) -> object:
        if obj is None:
            return self
        value = self.slot.__get__(obj, owner)
        if isinstance(value, Pending):
            value.fill(obj)
            value = self.slot.__get__(obj, owner)
        if self.utf8 and isinstance(value, bytes):
            value = value.decode("utf-8", "surrogatepass")
            self.slot.__set__(obj, value)
        return value

    def __set__(self, obj: object, value: object) -> None:
        self.slot.__set__(obj, value)


def _utf8(text: str | bytes | Pending) -> bytes | Pending:
    """text's UTF-8 bytes (text itself when it still is the bytes it was unpickled as, or a Pending), made without
    keeping them in the str object."""
    # Pickling a str asks CPython for its UTF-8 form, which the str then keeps for as long as it lives: pickling a
    # build's documents for the cache would double the memory their texts take. str.encode keeps nothing.
    return text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
