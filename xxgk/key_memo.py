"""The page keys a long-running process (serve) worked out in its last build, with what each was made from: a page
whose inputs are the very same objects again has the same key, which is then not hashed again."""

from __future__ import annotations

import operator
from collections.abc import Callable


class KeyMemo:
    """Site path -> the key its page was last given, with the plain values (compared by ==) and the objects
    (compared by identity: a document kept in serve's memory is the same object from build to build) it was made
    from. Values whose == does not imply the same key, such as dicts (equal in another order), must be passed as
    objects."""

    def __init__(self) -> None:
        self._keys: dict[str, tuple[tuple, tuple, str]] = {}
        self._asked: set[str] = set()  # the pages asked for since the last forget_others()

    def key(self, page: str, plain: tuple, objects: tuple, make: Callable[[], str]) -> str:
        """make(), or the key it gave last time for page when plain and objects are as they were then."""
        self._asked.add(page)
        found = self._keys.get(page)
        if found is not None and found[0] == plain and _identical(found[1], objects):
            return found[2]
        key = make()
        self._keys[page] = (plain, objects, key)
        return key

    def forget_others(self) -> None:
        """Forget the pages not asked for since the last call (pages a build no longer has) and the objects they
        hold."""
        for page in self._keys.keys() - self._asked:
            del self._keys[page]
        self._asked = set()


def _identical(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(map(operator.is_, a, b))
