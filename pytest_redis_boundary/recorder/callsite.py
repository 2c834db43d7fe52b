"""Find the application frame that sent (or queued) a Redis command.

The call site is the first frame, walking outwards from the hook, whose code does not belong to
redis-py, fakeredis, rq, the asyncio/threading/concurrent machinery or this package, and that
lies inside the rootdir: a frame outside it (a library installed elsewhere, pytest-asyncio's
runner) is the site only when no frame inside it is on the stack. A command sent from an asyncio
task whose own frames hold no such frame gets the site where the task was created
(``TASK_SITE``, set by ``recorder/tasks.py``). Whether a code object is internal, and its
display path, are decided once per code object and cached, so a lookup costs one dict probe per
frame plus one for the ``(code, line)`` pair.

The wheel compiles this module with mypyc (``build.COMPILED_MODULES``). A compiled function has
no frame of its own, so frame depths here count from the first Python frame on the stack when
the resolver runs (depth 0): its caller's, or, when the caller is compiled too, the nearest
Python frame below it. The two builds may count one frame apart for the same call; hints are
learned at run time, so each build agrees with itself.
"""

from __future__ import annotations

import asyncio.events
import importlib.util
import os
import site
import sys
import sysconfig
from collections.abc import Iterable
from contextvars import ContextVar
from types import CodeType, FrameType
from typing import Final

from pytest_redis_boundary.core.events import CallSite

__all__ = [
    "TASK_SITE",
    "CallSiteResolver",
    "DepthHint",
    "HintTable",
    "installed_prefixes",
    "internal_prefixes",
    "module_prefixes",
]

TASK_SITE: Final[ContextVar[CallSite | None]] = ContextVar("redis_boundary_task_site", default=None)
"""Where the running asyncio task was created, when an application frame created it: a task
copies its creator's context, so the value set around ``create_task`` is the task's own."""

# Where each step of an asyncio task starts: the frames past it are the event loop's and its
# caller's, not the task's own.
_TASK_STEP: Final = asyncio.events.Handle._run.__code__


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


def installed_prefixes() -> tuple[str, ...]:
    """The folders installed packages live in (site-packages of this interpreter and its venv).

    A frame there is a library's, also when the folder lies inside the rootdir (a ``.venv`` in
    the project, as uv and poetry make it): the call site is the application's frame that called
    the library, and the library's frame only when no application frame is on the stack.
    """
    folders = set()
    for key in ("purelib", "platlib"):
        where = sysconfig.get_paths().get(key)
        if where:
            folders.add(where)
    # Old virtualenv releases ship a site module without getsitepackages.
    site_folders = getattr(site, "getsitepackages", None)
    if site_folders is not None:
        folders.update(site_folders())
    return tuple(sorted(os.path.join(os.path.realpath(f), "") for f in folders))


def module_prefixes(names: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The path prefixes of the modules ``names`` (each with its submodules), and the names not
    found here. A dotted name's parent package is imported to find it; a top-level one is not."""
    found: list[str] = []
    missing: list[str] = []
    for name in names:
        where = _package_dir(name)
        if where:
            found.append(where)
        else:
            missing.append(name)
    return tuple(found), tuple(missing)


_HINTS = 4  # call-site depths a hook remembers


def _own_frames() -> int:
    """How many frames this module's functions put on the stack: 1 as Python, 0 compiled."""
    return 1 if sys._getframe(0).f_code.co_name == "_own_frames" else 0


_OWN: Final = _own_frames()
_getframe: Final = sys._getframe


class _CodeInfo:
    """What the resolver knows about one code object (kept alive so its id stays unique)."""

    __slots__ = ("code", "outside", "path", "sites")

    def __init__(self, code: CodeType, path: str | None, outside: bool) -> None:
        self.code = code
        self.path = path
        self.outside = outside  # external, but outside the rootdir: a site only as a last resort
        # By instruction offset (``f_lasti``): ``f_lineno`` walks the code's line table.
        self.sites: dict[int, CallSite] = {}


class DepthHint:
    """A depth at which a hook found its call site, with the two code objects last seen there:
    the frame's (external: ``info``) and the one just below it (internal: ``below``). While the
    same code objects are there again, the depth is accepted by identity, without looking the
    code objects up (each is checked on its own, so threads sharing a hint cannot mix them up).
    """

    __slots__ = ("below", "depth", "info")

    def __init__(self, depth: int) -> None:
        self.depth = depth
        self.below: CodeType | None = None
        self.info: _CodeInfo | None = None

    def __repr__(self) -> str:
        return f"DepthHint({self.depth})"


def _to_front(hint: list[DepthHint], depth: int) -> None:
    """Puts the hint for ``depth`` first in ``hint`` (made if new; the oldest beyond ``_HINTS``
    goes). One slice assignment, so threads sharing a hook's hints never see a half-updated
    list."""
    found = next((known for known in hint if known.depth == depth), None)
    if found is None:
        found = DepthHint(depth)
    hint[:] = [found, *(known for known in hint if known is not found)][:_HINTS]


_HINTED_NAMES = 512  # command names whose hints a hook keeps apart


class HintTable(dict[object, list[DepthHint]]):
    """One hook's call-site depth hints (see ``CallSiteResolver.site_hinted``), one list per
    command name: redis-py sends each command through its own method, which reaches the hook at
    its own depth (a deprecation decorator on some adds a frame), so one list shared by every
    name would miss on every alternation. ``table[name]`` gives a name's list (made on first
    use); ``hint(name)`` also takes a name that cannot be hashed, which gets ``shared``."""

    def __init__(self) -> None:
        super().__init__()
        self.shared: list[DepthHint] = []  # names past the cap, and unhashable ones

    def __missing__(self, name: object) -> list[DepthHint]:
        if len(self) >= _HINTED_NAMES:
            return self.shared
        hint: list[DepthHint] = []
        self[name] = hint
        return hint

    def hint(self, name: object) -> list[DepthHint]:
        try:
            return self[name]
        except (TypeError, ValueError):  # unhashable, or a writable memoryview
            return self.shared


def _new_site(info: _CodeInfo, frame: FrameType) -> CallSite:
    assert info.path is not None
    site = info.sites[frame.f_lasti] = CallSite(info.path, frame.f_lineno or 0, info.code.co_name)
    return site


def _site(info: _CodeInfo, frame: FrameType) -> CallSite:
    site = info.sites.get(frame.f_lasti)
    return site if site is not None else _new_site(info, frame)


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
        self._installed = installed_prefixes()
        self._codes: dict[int, _CodeInfo] = {}

    def _classify(self, code: CodeType) -> _CodeInfo:
        filename = code.co_filename
        real = os.path.realpath(filename) if not filename.startswith("<") else filename
        path: str | None
        outside = False
        if real.startswith(self._internal) or filename.startswith(self._internal):
            path = None
        elif (
            self._root is not None
            and real.startswith(self._root)
            and not real.startswith(self._installed)
        ):
            path = real[len(self._root) :].replace(os.sep, "/")
        else:
            path = real
            outside = self._root is not None
        info = _CodeInfo(code, path, outside)
        self._codes[id(code)] = info
        return info

    def _info_of(self, code: CodeType) -> _CodeInfo:
        info = self._codes.get(id(code))
        return info if info is not None and info.code is code else self._classify(code)

    def is_internal(self, code: CodeType) -> bool:
        return self._info_of(code).path is None

    def is_outside(self, site: CallSite) -> bool:
        """Whether ``site`` lies outside the rootdir (never, without one)."""
        return self._root is not None and os.path.isabs(site.path)

    def site_of_frame(self, frame: FrameType | None) -> CallSite | None:
        """The call site from ``frame`` outwards: the first external frame inside the rootdir,
        or the running task's creation site once the walk leaves the task's own frames, or the
        first external frame outside the rootdir."""
        return self._walk(frame, None)

    def _walk(self, frame: FrameType | None, hint: list[DepthHint] | None) -> CallSite | None:
        """``site_of_frame``; with ``hint``, the depth of a site found in the task's own frames
        (counted from ``frame``) goes to its front."""
        depth = 0
        in_task = True  # not yet past the start of an asyncio task's step
        first_outside: CallSite | None = None
        while frame is not None:
            code = frame.f_code
            info = self._info_of(code)
            if info.path is not None:
                if not info.outside:
                    if hint is not None and depth and in_task:
                        _to_front(hint, depth)
                    return _site(info, frame)
                if first_outside is None:
                    first_outside = _site(info, frame)
            elif code is _TASK_STEP and in_task:
                in_task = False
                created = TASK_SITE.get()
                if created is not None:
                    return created
            frame = frame.f_back
            depth += 1
        return first_outside

    def site_hinted(self, hint: list[DepthHint]) -> CallSite | None:
        """Like ``site_of_frame`` from the caller's frame, reusing the depths found before.

        ``hint`` (owned by the calling hook, one per command name) holds the depths, counted
        from the first Python frame (0, see the module's docstring), at which call sites were
        found on recent calls, last used first (at most ``_HINTS``: redis-py reaches the hook at
        different depths, e.g. through a deprecation decorator on some commands only).
        ``sys._getframe(depth)`` skips the frames in between without building frame objects for
        them, which is most of a walk's cost. A depth is accepted only if that frame is external
        and the one just below it is internal; when none is, the frames are walked one by one
        and the depth found goes to the front. (When the stack differs only by external code in
        the middle of redis-py's own frames, e.g. a user-defined ``Retry`` subclass, the guess
        reports the application frame above redis-py instead.) Frames outside the rootdir
        count as internal below a hinted depth and are never one; a site found past the start
        of an asyncio task's step is never hinted.
        """
        for known in hint:
            depth = known.depth
            try:
                below = _getframe(_OWN + depth - 1)
            except ValueError:
                continue
            frame = below.f_back
            if frame is None:
                continue
            code = frame.f_code
            info = known.info
            if info is None or info.code is not code:
                info = self._info_of(code)
                if info.path is None or info.outside:
                    continue
                known.info = info
            below_code = below.f_code
            if below_code is not known.below:
                below_info = self._info_of(below_code)
                if below_info.path is not None and not below_info.outside:
                    continue
                known.below = below_code
            if known is not hint[0]:
                _to_front(hint, depth)  # as a single hint would: the last depth used first
            site = info.sites.get(frame.f_lasti)
            return site if site is not None else _new_site(info, frame)
        return self._walk(_getframe(_OWN), hint)

    def __call__(self) -> CallSite | None:
        """Call site of whoever called this method (internal frames skipped)."""
        return self.site_of_frame(_getframe(_OWN))
