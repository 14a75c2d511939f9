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
    are pickled as their UTF-8 bytes (see _utf8); the fields named in deferrable may hold a Pending, which fills
    them when one of them is first read (see _Field): for long texts, such as a document's body, which most builds
    never read of an unchanged document."""
    if cls is None:
        return lambda cls: _quick_state(cls, as_bytes, deferrable)
    return _quick_state(cls, as_bytes, deferrable)


class Pending:
    """Stands in the deferrable fields of an object until one of them is read; fill() must then set every one it
    stands in (through slot_setter), or raise."""

    def fill(self, obj: object) -> None:
        raise NotImplementedError


def slot_setter(cls: type, name: str) -> Callable[[object, object], None]:
    """The setter of a field's own slot, which takes a Pending as it is and bypasses frozen."""
    found = cls.__dict__[name]
    return (found.slot if isinstance(found, _Field) else found).__set__


def slot_getter(cls: type, name: str) -> Callable[[object], object]:
    """The getter of a field's own slot: its value as held (a Pending not filled)."""
    found = cls.__dict__[name]
    return (found.slot if isinstance(found, _Field) else found).__get__


def _quick_state(cls: Class, as_bytes: tuple[str, ...], deferrable: tuple[str, ...]) -> Class:
    # dataclasses' own methods call fields() again for every object pickled or unpickled: most of their time.
    names = tuple(field.name for field in dataclasses.fields(cls))
    # Each field's slot, read and set with its own descriptor (what object.__setattr__ finds on the class for every
    # call), which also goes past the frozen dataclass's __setattr__: a quarter quicker. A deferrable field's slot
    # may hold a Pending, which is pickled as it is.
    slots = tuple(getattr(cls, name) for name in names)
    cls._pickled_as_bytes = frozenset(as_bytes)  # for state_without
    for name in deferrable:
        setattr(cls, name, _Field(getattr(cls, name)))
    texts = tuple(names.index(name) for name in as_bytes)
    __getstate__ = state_without(cls, {})
    if not texts:  # attrgetter reads every field at C speed
        get_fields = operator.attrgetter(*names)

        def __getstate__(self) -> tuple:
            return get_fields(self) if len(names) > 1 else (get_fields(self),)

    cls.__getstate__, cls.__setstate__ = __getstate__, _setstate(names, tuple(slot.__set__ for slot in slots), texts)
    return cls


def state_without(cls: type, empty: dict[str, object]) -> Callable[[object], tuple]:
    """A function giving an object's pickled state (as quick_state made cls's __getstate__) with the fields named in
    empty set to those values, their own values not encoded."""
    names = tuple(field.name for field in dataclasses.fields(cls))
    getters = tuple(slot_getter(cls, name) for name in names)
    texts = tuple(i for i, name in enumerate(names) if name in cls._pickled_as_bytes and name not in empty)
    left_out = tuple((names.index(name), value) for name, value in empty.items())

    def state(obj: object) -> tuple:
        values = [get(obj) for get in getters]
        for position in texts:
            values[position] = _utf8(values[position])
        for position, value in left_out:
            values[position] = value
        return tuple(values)

    return state


def _setstate(names: tuple[str, ...], setters: tuple, texts: tuple[int, ...]) -> Callable[[object, tuple], None]:
    """A __setstate__ that sets each field with its slot's setter, decoding the UTF-8 bytes of the fields at texts
    (a Pending there is set as it is)."""
    # Written out field by field, as dataclasses writes its __init__: a loop over the fields (zip, and each text set
    # twice) took a sixth of unpickling a cache entry, and a build reads back the entry of every unchanged document.
    # The texts are decoded at once, not when read: Chinese text takes half again as much memory as UTF-8 bytes as
    # it does as a str, and documents read afresh reach a build pickled by the processes that read them.
    values = ", ".join(f"v{i}" for i in range(len(names)))
    lines = ["def __setstate__(self, state):", f"    {values}, = state"]
    for i in range(len(names)):
        value = f"v{i}.decode('utf-8', 'surrogatepass') if v{i}.__class__ is bytes else v{i}" if i in texts else f"v{i}"
        lines.append(f"    set{i}(self, {value})")
    scope = {f"set{i}": setter for i, setter in enumerate(setters)}
    exec("\n".join(lines), scope)
    return scope["__setstate__"]


class _Field:
    """A field whose slot may hold a Pending, filled when the field is first read. A build reads back every unchanged
    document from its cache but shows the body of few of them: reading every body back took half the time."""

    def __init__(self, slot):
        self.slot = slot  # the member descriptor dataclasses made for the field's slot

    def __get__(self, obj: object, owner: type | None = None) -> object:
        if obj is None:
            return self
        value = self.slot.__get__(obj, owner)
        if isinstance(value, Pending):
            value.fill(obj)
            value = self.slot.__get__(obj, owner)
        return value

    def __set__(self, obj: object, value: object) -> None:
        self.slot.__set__(obj, value)


def _utf8(text: str | Pending) -> bytes | Pending:
    """text's UTF-8 bytes (a Pending as it is), made without keeping them in the str object."""
    # Pickling a str asks CPython for its UTF-8 form, which the str then keeps for as long as it lives: pickling a
    # build's documents for the cache would double the memory their texts take. str.encode keeps nothing.
    return text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
