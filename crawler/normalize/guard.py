"""``@never_raises``: the one guard of the public normalizers.

A normalizer promises never to raise on any input. The promise is kept by this guard, and the
property tests check the function *without* it (``fn.unguarded``), so a bug the guard would hide
still fails a test instead of silently giving ``None``."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any


def never_raises(default: Any = None, *, fallback: Callable | None = None) -> Callable:
    """Decorate a normalizer: any exception gives *default* (a fresh copy of it), or what
    *fallback* (called with the same arguments; a simpler way to the answer) returns, and
    *default* if that raises too. ``fn.unguarded`` is the bare function."""

    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except Exception:  # noqa: BLE001 - the promise; tests run fn.unguarded
                if fallback is not None:
                    try:
                        return fallback(*args, **kwargs)
                    except Exception:  # noqa: BLE001
                        pass
                return copy.deepcopy(default)

        guarded.unguarded = fn  # type: ignore[attr-defined]
        return guarded

    return decorate
