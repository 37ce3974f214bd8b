"""Project file defaults, test file globs, log page windows and atomic-write errors (audit fixes)."""

import os
import stat
from types import SimpleNamespace

import pytest

from impt.commands.test import selection as test_selection
from impt.commands.log import _LogPages
from impt.errors import ImptError, UsageError
from impt.files import read_project, write_atomically


def test_project_file_names_default(tmp_path):
    (tmp_path / ".impt.project").write_text('{"deviceGroupId": "g"}')
    assert read_project(tmp_path) == {"deviceGroupId": "g", "deviceFile": "device.nut", "agentFile": "agent.nut"}
    (tmp_path / ".impt.project").write_text('{"deviceGroupId": "g", "deviceFile": "d.nut", "agentFile": ""}')
    assert read_project(tmp_path)["deviceFile"] == "d.nut" and read_project(tmp_path)["agentFile"] == ""
    (tmp_path / ".impt.project").write_text('{"deviceGroupId": "g", "deviceFile": 5}')
    with pytest.raises(ImptError, match="Project File is corrupted."):
        read_project(tmp_path)


def test_absolute_and_outside_test_file_globs(tmp_path):
    cwd, other = tmp_path / "cwd", tmp_path / "other"
    (cwd / "tests").mkdir(parents=True)
    other.mkdir()
    (cwd / "tests" / "a.test.nut").write_text("")
    (other / "b.agent.test.nut").write_text("")
    (other / "b.device.nut").write_text("")
    globs = [f"{cwd}/tests/*.test.nut", f"{other}/*.test.nut", "tests/*.nut"]
    found = test_selection.find_test_files(cwd, globs, test_selection.TestPattern())
    assert [(f.path, f.kind, f.partner) for f in found] == [
        ("tests/a.test.nut", "device", None),
        (f"{other}/b.agent.test.nut", "agent", f"{other}/b.device.nut"),
    ]
    with pytest.raises(UsageError, match='Test file pattern "x\\*\\*y" is invalid'):
        test_selection.find_test_files(cwd, ["x**y"], test_selection.TestPattern())


class _FakeLogs:
    """A device with `total` entries, newest first, served in pages of at most 100 like impCentral."""

    def __init__(self, total: int) -> None:
        self.entries = [{"msg": str(i)} for i in range(total - 1, -1, -1)]
        self.calls: list[tuple[int, int]] = []

    def logs(self, device_id, page_number, page_size):
        self.calls.append((page_number, page_size))
        size = min(page_size, 100)
        return self.entries[(page_number - 1) * size : page_number * size]


def _pages(total: int, size: int) -> tuple[_LogPages, _FakeLogs]:
    fake = _FakeLogs(total)
    ctx = SimpleNamespace(client=SimpleNamespace(devices=fake))
    return _LogPages(ctx, "dev", size), fake


def test_log_pages_above_the_api_limit():
    pages, fake = _pages(152, 120)
    assert [e["msg"] for e in pages.page(1)] == [str(i) for i in range(151, 31, -1)]
    assert [e["msg"] for e in pages.page(2)] == [str(i) for i in range(31, -1, -1)]
    assert fake.calls == [(1, 100), (2, 100)]  # each API page fetched once
    pages, fake = _pages(500, 250)
    assert [e["msg"] for e in pages.page(2)] == [str(i) for i in range(249, -1, -1)]
    assert fake.calls == [(3, 100), (4, 100), (5, 100)]
    pages, fake = _pages(152, 20)
    assert len(pages.page(8)) == 12 and fake.calls == [(8, 20)]


def test_atomic_write_error_names_the_target(tmp_path):
    target = tmp_path / "adir"
    target.mkdir()
    with pytest.raises(IsADirectoryError) as caught:
        write_atomically(target, "x")
    assert caught.value.filename == str(target)
    assert os.listdir(tmp_path) == ["adir"] and os.listdir(target) == []
    write_atomically(tmp_path / "f", "text")
    assert stat.S_IMODE(os.stat(tmp_path / "f").st_mode) == 0o600 and (tmp_path / "f").read_text() == "text"
