"""`impt project delete --files` deletes only source files inside the Project's directory: a project file
naming an absolute path, `../y` or a path through a symlinked directory names them and leaves them."""

from __future__ import annotations

import json

from relsuite import Impt


def test_project_delete_files_leaves_files_outside_the_project(emulator, tmp_path):
    project_dir, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    project_dir.mkdir()
    elsewhere.mkdir()
    sibling, absolute, linked = tmp_path / "sibling.nut", elsewhere / "abs.nut", elsewhere / "linked.nut"
    for path in (sibling, absolute, linked):
        path.write_text("// keep me")
    (project_dir / "link").symlink_to(elsewhere, target_is_directory=True)
    (project_dir / "own.nut").write_text("// mine")
    impt = Impt(project_dir, tmp_path, emulator.base_url)
    impt.login()
    for device_file, agent_file in (("../sibling.nut", str(absolute)), ("link/linked.nut", "own.nut")):
        (project_dir / ".impt.project").write_text(
            json.dumps({"deviceGroupId": "no-such-group", "deviceFile": device_file, "agentFile": agent_file})
        )
        result = impt("project", "delete", "--files", "--confirmed")
        assert result.code == 0, result.text
        assert "outside the Project directory" in result.text and device_file in result.text
        assert not (project_dir / ".impt.project").exists()
    assert sibling.exists() and absolute.exists() and linked.exists()
    assert not (project_dir / "own.nut").exists()
    assert "own.nut" in result.text and "deleted successfully" in result.text
