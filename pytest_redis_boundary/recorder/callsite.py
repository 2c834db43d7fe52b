"""Find the application frame that sent (or queued) a Redis command.

The call site is the first frame, walking outwards from the hook, whose code does not belong to
redis-py, fakeredis, rq, the asyncio/threading/concurrent machinery or this package. Whether a
code object is internal, and its display path, are decided once per code object and cached, so a
lookup costs one dict probe per frame plus one for the ``(code, line)`` pair.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from types import CodeType, FrameType

from pytest_redis_boundary.core.events import CallSite

__all__ = ["CallSiteResolver", "HintTable", "internal_prefixes"]


def _package_dir(name: str) -> str | None:
    """Folder of an installed top-level package, without importing it."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    locations = list(spec.submodule_search_locations or ())
    if locations:
        return os.path.join(os.path.realpath(locations[0]), "")
    if spec.origin:
        return os.path.realpath(spec.origin)
    return None


def internal_prefixes() -> tuple[str, ...]:
    """Path prefixes (folders end with a separator) whose frames are never a call site."""
    found: list[str] = []
    for name in ("redis", "fakeredis", "rq", "valkey", "asyncio", "concurrent", "lupa"):
        where = _package_dir(name)
        if where:
            found.append(where)
    for name in ("threading", "contextlib", "functools"):
        where = _package_dir(name)
        if where:
            found.append(where)
    here = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    found.append(os.path.join(here, ""))
    return tuple(found)


_HINTS = 4  # call-site depths a hook remembers


def _to_front(hint: list[int], depth: int) -> None:
    # One slice assignment, so threads sharing a hook's hints never see a half-updated list.
    hint[:] = [depth, *(d for d in hint if d != depth)][:_HINTS]


_HINTED_NAMES = 512  # command names whose hints a hook keeps apart


class HintTable(dict[object, list[int]]):
    """One hook's call-site depth hints (see ``CallSiteResolver.site_hinted``), one list per
    command name: redis-py sends each command through its own method, which reaches the hook at
    its own depth (a deprecation decorator on some adds a frame), so one list shared by every
    name would miss on every alternation. ``table[name]`` gives a name's list (made on first
    use); ``hint(name)`` also takes a name that cannot be hashed, which gets ``shared``."""

    def __init__(self) -> None:
        super().__init__()
        self.shared: list[int] = []  # names past the cap, and unhashable ones

    def __missing__(self, name: object) -> list[int]:
        if len(self) >= _HINTED_NAMES:
            return self.shared
        hint: list[int] = []
        self[name] = hint
        return hint

    def hint(self, name: object) -> list[int]:
        try:
            return self[name]
        except (TypeError, ValueError):  # unhashable, or a writable memoryview
            return self.shared


class _CodeInfo:
    """What the resolver knows about one code object (kept alive so its id stays unique)."""

    __slots__ = ("code", "path", "sites")

    def __init__(self, code: CodeType, path: str | None) -> None:
        self.code = code
        self.path = path
        # By instruction offset (``f_lasti``): ``f_lineno`` walks the code's line table.
        self.sites: dict[int, CallSite] = {}


def _new_site(info: _CodeInfo, frame: FrameType) -> CallSite:
    assert info.path is not None
    site = info.sites[frame.f_lasti] = CallSite(info.path, frame.f_lineno or 0, info.code.co_name)
    return site


class CallSiteResolver:
    """Cheap call-site lookup with per-code-object caches.

    ``rootdir``: paths under it are reported relative to it with ``/`` separators; others are
    absolute. Caches hold code objects and ``CallSite`` values only, never command data. They are
    keyed by ``id(code)`` (hashing a code object hashes its bytecode and constants each time); the
    cached entry keeps its code object alive, so an id cannot be reused while it is cached.
    """

    def __init__(
        self,
        rootdir: str | os.PathLike[str] | None = None,
        *,
        extra_internal: tuple[str, ...] = (),
    ) -> None:
        self._root = os.path.join(os.path.realpath(os.fspath(rootdir)), "") if rootdir else None
        self._internal = internal_prefixes() + tuple(extra_internal)
        self._codes: dict[int, _CodeInfo] = {}

    def _classify(self, code: CodeType) -> _CodeInfo:
        filename = code.co_filename
        real = os.path.realpath(filename) if not filename.startswith("<") else filename
        path: str | None
        if real.startswith(self._internal) or filename.startswith(self._internal):
            path = None
        elif self._root is not None and real.startswith(self._root):
            path = real[len(self._root) :].replace(os.sep, "/")
        else:
            path = real
        info = _CodeInfo(code, path)
        self._codes[id(code)] = info
        return info

    def is_internal(self, code: CodeType) -> bool:
        info = self._codes.get(id(code))
        if info is None or info.code is not code:
            info = self._classify(code)
        return info.path is None

    def site_of_frame(self, frame: FrameType | None) -> CallSite | None:
        """The first non-internal frame from ``frame`` outwards, as a ``CallSite``."""
        codes = self._codes
        while frame is not None:
            code = frame.f_code
            info = codes.get(id(code))
            if info is None or info.code is not code:
                info = self._classify(code)
            if info.path is not None:
                site = info.sites.get(frame.f_lasti)
                return site if site is not None else _new_site(info, frame)
            frame = frame.f_back
        return None

    def site_hinted(self, hint: list[int]) -> CallSite | None:
        """Like ``site_of_frame`` from the caller, reusing the depths found before.

        ``hint`` (owned by the calling hook, one per command name) holds the depths, counted
        from this method, at which call sites were found on recent calls, last used first (at
        most ``_HINTS``: redis-py reaches the hook at different depths, e.g. through a
        deprecation decorator on some commands only). ``sys._getframe(depth)`` skips the frames
        in between without building frame objects for them, which is most of a walk's cost. A
        depth is accepted only if that frame is external and the one just below it is internal;
        when none is, the frames are walked one by one and the depth found goes to the front.
        (When the stack differs only by external code in the middle of redis-py's own frames,
        e.g. a user-defined ``Retry`` subclass, the guess reports the application frame above
        redis-py instead.)
        """
        codes = self._codes
        for depth in hint:
            try:
                below = sys._getframe(depth - 1)
            except ValueError:
                continue
            frame = below.f_back
            if frame is None:
                continue
            code = frame.f_code
            info = codes.get(id(code))
            if info is None or info.code is not code:
                info = self._classify(code)
            if info.path is None:
                continue
            below_code = below.f_code
            below_info = codes.get(id(below_code))
            if below_info is None or below_info.code is not below_code:
                below_info = self._classify(below_code)
            if below_info.path is None:
                if depth != hint[0]:
                    _to_front(hint, depth)  # as a single hint would: the last depth used first
                site = info.sites.get(frame.f_lasti)
                return site if site is not None else _new_site(info, frame)
        frame = sys._getframe(1)
        depth = 1
        while frame is not None:
            code = frame.f_code
            info = codes.get(id(code))
            if info is None or info.code is not code:
                info = self._classify(code)
            if info.path is not None:
                if depth > 1:
                    _to_front(hint, depth)
                site = info.sites.get(frame.f_lasti)
                return site if site is not None else _new_site(info, frame)
            frame = frame.f_back
            depth += 1
        return None

    def __call__(self) -> CallSite | None:
        """Call site of whoever called this method (internal frames skipped)."""
        return self.site_of_frame(sys._getframe(1))
