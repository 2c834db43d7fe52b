"""A pull request's changed-files list, as ``git diff --name-only`` prints it."""

from __future__ import annotations

import pickle

import pytest

from pytest_redis_boundary.core.changed_files import ChangedFilesInvalid, parse_changed_files


def test_one_path_per_line_in_order_each_once() -> None:
    data = b"app/api/jobs.py\r\n\n  docs/contracts/jobs.md  \napp/api/jobs.py\n"
    assert parse_changed_files(data, "changed.txt") == ("app/api/jobs.py", "docs/contracts/jobs.md")


@pytest.mark.parametrize("data", [b"", b"\n\n", "\ufeff\n".encode()])
def test_an_empty_list_is_no_changed_file(data: bytes) -> None:
    assert parse_changed_files(data, "changed.txt") == ()


@pytest.mark.parametrize(
    ("line", "path"),
    [
        (rb'"caf\303\251.py"', "café.py"),  # core.quotePath's octal UTF-8 bytes
        (rb'"a\tb.py"', "a\tb.py"),
        (rb'"say \"hi\".md"', 'say "hi".md'),
        (rb'"back\\slash.py"', "back\\slash.py"),
        ("plain/café.py".encode(), "plain/café.py"),  # core.quotePath off
    ],
)
def test_a_path_git_quoted_is_unquoted(line: bytes, path: str) -> None:
    assert parse_changed_files(line + b"\n", "changed.txt") == (path,)


@pytest.mark.parametrize(
    ("data", "where", "problem"),
    [
        (b"app/a.py\n\x89PNG\r\n\x1a\n\x00\x00", "changed.txt:4", "holds a NUL byte"),
        (b"app/a.py\napp/\xff.py\n", "changed.txt:2", "is not UTF-8 text"),
        (b"M\tapp/a.py\n", "changed.txt:1", "looks like git diff --name-status"),
        (rb'"bad\q.py"' + b"\n", "changed.txt:1", "an escape git does not write"),
        (rb'"\377.py"' + b"\n", "changed.txt:1", "not UTF-8"),
    ],
)
def test_a_malformed_list_names_the_line_and_the_fix(data: bytes, where: str, problem: str) -> None:
    with pytest.raises(ChangedFilesInvalid) as caught:
        parse_changed_files(data, "changed.txt")
    message = str(caught.value)
    assert message.startswith(f"{where}: ")
    assert problem in message
    assert message.endswith("Fix: write one path per line, as git diff --name-only BASE...HEAD "
                            "prints them.")  # fmt: skip
    assert "\n" not in message


def test_the_error_pickles() -> None:
    error = ChangedFilesInvalid("stdin", 4, "holds a NUL byte")
    assert str(pickle.loads(pickle.dumps(error))) == str(error)
