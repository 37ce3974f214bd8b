"""The Builder subset `impt test run` preprocesses sources with (impt.builder.preprocess)."""

import pytest

from impt.builder import preprocess
from impt.errors import ImptError


def test_builder_subset(tmp_path):
    (tmp_path / "lib.nut").write_text('const NAME = "@{name}";')
    out = preprocess('@include "lib.nut"\nlocal x = @{count};', tmp_path / "main.nut", {"name": "n", "count": 3})
    assert out == 'const NAME = "n";\nlocal x = 3;'
    with pytest.raises(ImptError, match='variable "nope"'):
        preprocess("@{nope}", tmp_path / "m.nut", {})
    with pytest.raises(ImptError, match="only local includes"):
        preprocess('@include "github:org/repo/file.nut"', tmp_path / "m.nut", {})
    with pytest.raises(ImptError, match='included file "gone.nut" is not found'):
        preprocess('@include "gone.nut"', tmp_path / "m.nut", {})
    (tmp_path / "latin1.nut").write_bytes(b"\xff\xfe caf\xe9")
    with pytest.raises(ImptError, match=r"^File error: .*latin1\.nut: .*utf-8.*\.$"):
        preprocess('@include "latin1.nut"', tmp_path / "m.nut", {})
