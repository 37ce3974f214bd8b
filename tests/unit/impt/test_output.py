"""impt's text layout, json/minimal modes and the status line."""

import io
import json

from impt.output import FAILS, SUCCEEDS, Output, format_text


def test_padding_counts_nested_keys_and_trailing_space():
    lines = format_text({"Device Group": {"id": "1", "type": "development", "Product": {"id": "p", "name": "P"}}})
    assert lines == [
        "Device Group: ",
        "  id:      1",
        "  type:    development",
        "  Product: ",
        "    id:   p",
        "    name: P",
    ]


def test_lists_booleans_and_empty():
    lines = format_text({"D": {"tags": ["a", "b"], "flagged": True, "none": [], "d": None}})
    assert lines == ["D: ", "  tags:    a, b", "  flagged: true", "  none:    -", "  d:       "]
    assert format_text({"D": {"tags": ["a", "b"]}}, minimal=True)[1] == "  tags: a,b"


def test_multiline_string_block():
    lines = format_text({"B": {"device_code": "x\ny\n"}})
    assert lines == ["B: ", "  device_code: ", '    """', "      x", "      y", "      ", '    """']


def test_long_string_cut():
    line = format_text({"k": "a" * 600})[0]
    assert line.endswith("...") or "..." in format_text({"k": "a" * 600})[-1]


def test_list_of_entities_sequence():
    lines = format_text([{"Product": {"id": "1"}}, {"Product": {"id": "2"}}])
    assert lines == ["Product: ", "  id: 1", "Product: ", "  id: 2"]


def test_colour_only_when_asked():
    assert "\x1b[32m" in format_text({"a": 1}, color=True)[0]
    assert "\x1b" not in format_text({"a": 1})[0]


def make(mode):
    stdout, stderr = io.StringIO(), io.StringIO()
    return Output(mode, stdout, stderr), stdout, stderr


def test_default_mode_info_and_status():
    out, stdout, _ = make(None)
    out.info("Product list (1 items):")
    out.data([{"Product": {"id": "1"}}])
    out.finish(True)
    assert stdout.getvalue().splitlines()[-1] == SUCCEEDS


def test_json_mode_clean_stdout():
    out, stdout, stderr = make("json")
    out.info("hidden")
    out.dialog("asked")
    out.data({"Product": {"id": "1"}})
    out.finish(True)
    assert json.loads(stdout.getvalue()) == {"Product": {"id": "1"}}
    assert "asked" in stderr.getvalue()


def test_json_mode_empty_result_and_error():
    out, stdout, _ = make("json")
    out.finish(True)
    assert stdout.getvalue().strip() == "{}"
    out, stdout, _ = make("json")
    out.error('Product "x" is not found.', prefix="Error: ")
    out.finish(False)
    assert json.loads(stdout.getvalue()) == {"Error": 'Product "x" is not found.'}


def test_minimal_mode_no_status_line():
    out, stdout, _ = make("minimal")
    out.info("hidden")
    out.error("boom", prefix="Error: ")
    out.finish(False)
    assert stdout.getvalue() == "Error: boom\n"
    assert FAILS not in stdout.getvalue()
