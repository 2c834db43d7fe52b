"""Call sites: first frame outside redis, fakeredis, rq, asyncio and this package."""

from __future__ import annotations

import asyncio
import site
import sys
import sysconfig
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fakeredis
import pytest
import redis

from pytest_redis_boundary.recorder.callsite import CallSiteResolver, DepthHint, HintTable
from pytest_redis_boundary.recorder.hooks import Recorder
from tests.recorder.conftest import ROOT, Capture


def here() -> int:
    frame = sys._getframe(1)
    return frame.f_lineno


def test_relative_path_line_and_function() -> None:
    resolver = CallSiteResolver(ROOT)
    site = resolver()
    line = here() - 1
    assert site is not None
    assert (site.path, site.line, site.function) == (
        "tests/recorder/test_callsite.py",
        line,
        "test_relative_path_line_and_function",
    )
    assert str(site) == f"tests/recorder/test_callsite.py:{line}"


def test_absolute_path_outside_rootdir(tmp_path: Path) -> None:
    resolver = CallSiteResolver(tmp_path / "elsewhere")
    site = resolver()
    assert site is not None
    assert site.path == str(Path(__file__).resolve())


def test_no_rootdir_gives_absolute_paths() -> None:
    site = CallSiteResolver()()
    assert site is not None and site.path == str(Path(__file__).resolve())


def test_internal_code_is_skipped() -> None:
    resolver = CallSiteResolver(ROOT)
    assert resolver.is_internal(redis.Redis.get.__code__)
    assert resolver.is_internal(fakeredis.FakeRedis.__init__.__code__)
    # this package's own code (hooks.py stays Python in both builds: it has code objects)
    assert resolver.is_internal(Recorder.install.__code__)
    assert not resolver.is_internal(test_internal_code_is_skipped.__code__)


def test_site_is_cached_and_identical() -> None:
    resolver = CallSiteResolver(ROOT)
    sites = [resolver() for _ in range(3)]
    assert sites[0] is sites[1] is sites[2]


def test_app_module_outside_tests(capture: Capture, tmp_path: Path) -> None:
    """A module under the rootdir calling redis through a helper chain is the site."""
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "jobs.py").write_text(
        textwrap.dedent(
            """\
            def mark_done(client, job):
                with client.pipeline() as pipe:
                    pipe.hset(f"t:acme:job:{job}", "status", "done")
                    pipe.execute()
                return client.hget(f"t:acme:job:{job}", "status")
            """
        )
    )
    sys.path.insert(0, str(tmp_path))
    try:
        import app.jobs  # type: ignore[import-not-found]

        capture.recorder.uninstall()
        from pytest_redis_boundary.recorder.hooks import Recorder

        events: list[object] = []
        recorder = Recorder(events.append, rootdir=tmp_path)
        recorder.install()
        try:
            app.jobs.mark_done(fakeredis.FakeRedis(server=fakeredis.FakeServer()), 42)
        finally:
            recorder.uninstall()
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("app.jobs", None)
        sys.modules.pop("app", None)
    sites = [(e.site.path, e.site.line, e.site.function) for e in events]  # type: ignore[attr-defined]
    assert sites == [
        ("app/jobs.py", 4, "mark_done"),  # MULTI: the execute() line
        ("app/jobs.py", 3, "mark_done"),  # HSET: the line that queued it
        ("app/jobs.py", 4, "mark_done"),  # EXEC
        ("app/jobs.py", 5, "mark_done"),  # HGET
    ]


def test_lock_site_is_the_application_line(capture: Capture) -> None:
    client = fakeredis.FakeRedis(server=fakeredis.FakeServer())
    lock = client.lock("lock:cs", timeout=5)
    lock.acquire()  # lock-line
    lock.release()
    lines = {e.site.line for e in capture.take() if e.site}
    source = Path(__file__).read_text().splitlines()
    expected = next(i for i, text in enumerate(source, 1) if text.endswith("# lock-line"))
    assert expected in lines
    assert all(e_line in (expected, expected + 1) for e_line in lines)


def _hook(resolver: CallSiteResolver, hint: list[DepthHint]) -> object:
    return resolver.site_hinted(hint)


def _deeper_hook(resolver: CallSiteResolver, hint: list[DepthHint]) -> object:
    return _hook(resolver, hint)


def _application(folder: Path, source: str) -> dict[str, Any]:
    """The functions of ``source``, run from ``folder/app.py`` (an application's file, inside
    the rootdir when ``folder`` is it)."""
    outer = folder / "app.py"
    outer.write_text(textwrap.dedent(source))
    namespace: dict[str, Any] = {}
    exec(compile(outer.read_text(), str(outer), "exec"), namespace)
    return namespace


def test_hints_remember_each_depth_a_hook_is_reached_at(tmp_path: Path) -> None:
    # The hooks stand in for redis-py's frames: reached at two depths, as when some commands
    # go through a deprecation decorator. Each call must name its own caller's line.
    resolver = CallSiteResolver(tmp_path, extra_internal=(__file__,))
    app = _application(
        tmp_path,
        """
        def shallow(hook, resolver, hint):
            return hook(resolver, hint)

        def deep(hook, resolver, hint):
            return hook(resolver, hint)
        """,
    )
    shallow, deep = app["shallow"], app["deep"]
    hint: list[DepthHint] = []
    seen = set()
    for _ in range(3):
        a = shallow(_hook, resolver, hint)
        assert hint[0].depth == 1  # the depth used last is tried first, as a single hint would be
        b = deep(_deeper_hook, resolver, hint)
        assert hint[0].depth == 2
        assert (a.function, a.line) == ("shallow", 3)
        assert (b.function, b.line) == ("deep", 6)
        seen.add(tuple(sorted(known.depth for known in hint)))
    assert seen == {(1, 2)}  # both depths kept: no walk after the first of each


def test_a_remembered_depth_is_not_taken_when_the_frame_below_it_is_external(
    tmp_path: Path,
) -> None:
    # The depth found through _deeper_hook has an application frame at it and this package's
    # frame below it. Reached through two application frames, the same depth still has an
    # application frame at it, but the one below is external too: the call site is the
    # innermost application frame, not the one at the remembered depth.
    resolver = CallSiteResolver(tmp_path, extra_internal=(__file__,))
    app = _application(
        tmp_path,
        """
        def deep(hook, resolver, hint):
            return hook(resolver, hint)

        def helper(hook, resolver, hint):
            return hook(resolver, hint)

        def caller(hook, resolver, hint):
            return helper(hook, resolver, hint)
        """,
    )
    deep, caller = app["deep"], app["caller"]
    hint: list[DepthHint] = []
    for _ in range(2):
        a = deep(_deeper_hook, resolver, hint)
        assert hint[0].depth == 2
        b = caller(_hook, resolver, hint)
        assert hint[0].depth == 1
        assert (a.function, a.line) == ("deep", 3)
        assert (b.function, b.line) == ("helper", 6)


def test_hint_table_keeps_one_list_per_command_name() -> None:
    table = HintTable()
    set_hint = table.hint("SET")
    assert table["SET"] is set_hint  # the hooks' fast lookup finds the same list
    assert table.hint("GET") is not set_hint
    assert table.hint(b"SET") is not set_hint  # sent as bytes: its own entry
    shared = table.hint(memoryview(bytearray(b"SET")))  # unhashable: one shared list
    assert table.hint(memoryview(bytearray(b"GET"))) is shared
    for i in range(600):
        table.hint(f"CMD{i}")
    assert len(table) == 512  # bounded: names past the cap share a list
    assert table.hint("CMD599") is shared


def test_alternating_commands_each_get_their_own_callers_line(capture: Capture) -> None:
    # SET/GET and EXPIRE/EXISTS reach the hook at different depths (a deprecation decorator on
    # some commands): alternating them must still name each command's own line.
    client = fakeredis.FakeRedis(server=fakeredis.FakeServer())
    for _ in range(3):
        client.set("alt", 1, ex=5)  # alt-set
        client.expire("alt", 5)  # alt-expire
        client.exists("alt")  # alt-exists
    source = Path(__file__).read_text().splitlines()
    line = {
        tag: next(i for i, t in enumerate(source, 1) if t.endswith(f"# alt-{tag}"))
        for tag in ("set", "expire", "exists")
    }
    got = [(e.args[0], e.site.line) for e in capture.take() if e.site]
    assert got == [("SET", line["set"]), ("EXPIRE", line["expire"]), ("EXISTS", line["exists"])] * 3


def _line_of(comment: str) -> int:
    """The line of this file that ends with ``# <comment>``."""
    source = Path(__file__).read_text().splitlines()
    return next(i for i, text in enumerate(source, 1) if text.endswith(f"# {comment}"))


def _sites_of(capture: Capture, name: str) -> set[tuple[str, int, str]]:
    return {
        (e.site.path, e.site.line, e.site.function)
        for e in capture.take()
        if e.site is not None and e.args[0] == name
    }


async def _task_commands(client: Any) -> None:
    await asyncio.gather(client.set("g", 1))  # site-gather
    await asyncio.create_task(client.set("t", 1))  # site-create-task
    if sys.version_info >= (3, 11):
        async with asyncio.TaskGroup() as group:
            group.create_task(client.set("tg", 1))  # site-task-group


def test_a_command_sent_from_a_task_gets_the_line_that_created_the_task(
    capture: Capture, make_async: Callable[..., Any]
) -> None:
    # Each task's own frames are redis-py's and asyncio's only; past them lies this test's
    # asyncio.run line, which is not where the command came from.
    asyncio.run(_task_commands(make_async()))
    expected = {
        ("tests/recorder/test_callsite.py", _line_of(comment), "_task_commands")
        for comment in ("site-gather", "site-create-task", "site-task-group")
        if comment != "site-task-group" or sys.version_info >= (3, 11)
    }
    assert _sites_of(capture, "SET") == expected


def test_a_task_created_by_a_task_keeps_the_application_line(
    capture: Capture, make_async: Callable[..., Any]
) -> None:
    client = make_async()

    async def main() -> None:
        # gather's task creates the inner one from asyncio's frames only.
        await asyncio.gather(asyncio.gather(client.set("n", 1)))  # site-nested

    asyncio.run(main())
    assert _sites_of(capture, "SET") == {
        ("tests/recorder/test_callsite.py", _line_of("site-nested"), "main")
    }


def test_a_frame_outside_the_rootdir_is_not_the_site_while_one_inside_is(
    tmp_path: Path,
) -> None:
    # A wrapper library installed outside the rootdir: the site is the application line that
    # called it, not the library's line.
    library = _application(
        tmp_path,
        """
        def store(client):
            client.set("lib", 1)
        """,
    )
    events: list[Any] = []
    recorder = Recorder(events.append, rootdir=ROOT)
    recorder.install()
    try:
        library["store"](fakeredis.FakeRedis(server=fakeredis.FakeServer()))  # site-library
        library["store"](fakeredis.FakeRedis(server=fakeredis.FakeServer()))  # site-library-2
    finally:
        recorder.uninstall()
    assert [(e.site.path, e.site.line) for e in events] == [
        ("tests/recorder/test_callsite.py", _line_of("site-library")),
        ("tests/recorder/test_callsite.py", _line_of("site-library-2")),
    ]


def test_a_frame_outside_the_rootdir_is_the_site_when_none_is_inside(tmp_path: Path) -> None:
    library = _application(
        tmp_path,
        """
        import threading

        def store_in_thread(client):
            thread = threading.Thread(target=lambda: client.set("lib", 1))
            thread.start()
            thread.join()
        """,
    )
    events: list[Any] = []
    recorder = Recorder(events.append, rootdir=ROOT)
    recorder.install()
    try:
        library["store_in_thread"](fakeredis.FakeRedis(server=fakeredis.FakeServer()))
    finally:
        recorder.uninstall()
    assert [(e.site.path, e.site.line) for e in events] == [(str(tmp_path / "app.py"), 5)]


def test_a_library_in_a_virtualenv_inside_the_rootdir_is_not_the_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A project with its .venv inside (as uv and poetry make it): the wrapper library installed
    # there is a library, not the application, although its file is under the rootdir.
    installed = tmp_path / ".venv" / "lib" / "python3" / "site-packages"
    installed.mkdir(parents=True)
    monkeypatch.setattr(sysconfig, "get_paths", lambda: {"purelib": str(installed)})
    monkeypatch.setattr(site, "getsitepackages", lambda: [str(installed)])
    wrapper = installed / "wrapper.py"
    wrapper.write_text("def store(client):\n    client.set('t:acme:cache:x', 1, ex=60)\n")
    library: dict[str, Any] = {}
    exec(compile(wrapper.read_text(), str(wrapper), "exec"), library)
    app = _application(
        tmp_path,
        """
        def save(store, client):
            store(client)
        """,
    )
    events: list[Any] = []
    recorder = Recorder(events.append, rootdir=tmp_path)
    recorder.install()
    try:
        app["save"](library["store"], fakeredis.FakeRedis(server=fakeredis.FakeServer()))
        library["store"](fakeredis.FakeRedis(server=fakeredis.FakeServer()))
    finally:
        recorder.uninstall()
    # Called from the application: its line. Called from outside the rootdir only (this test
    # file): the library's own line, as for any library outside it, with its full path.
    assert [(e.site.path, e.site.line) for e in events] == [
        ("app.py", 3),
        (str(wrapper.resolve()), 2),
    ]
