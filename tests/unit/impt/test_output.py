"""impt's text layout, json/minimal modes and the status line."""

import io
import json

from impt.output import FAILS, SUCCEEDS, Hint, Output, escape_control, format_text, is_hint


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


RELOGIN = 'Please relogin using "impt auth login --local" command and then try again.'
COMPILE = "device_code error (line 1, column 14): '{' is never closed"


def test_hint_lines_are_recognised():
    assert is_hint(RELOGIN) and is_hint('Please login using "impt auth login" command and then try again.')
    assert not is_hint("Impossible to execute the command.")  # shown in minimal mode too
    assert is_hint('Use "impt project delete" command to delete the outdated Project.')
    assert is_hint(Hint("anything")) and not is_hint(COMPILE)


def test_error_tail_hints_only_in_default_mode():
    out, stdout, _ = make(None)
    out.error("Impossible to refresh.", tail=[RELOGIN], prefix="Error: ")
    out.finish(False)
    assert stdout.getvalue().splitlines() == ["Error: Impossible to refresh.", RELOGIN, FAILS]
    out, stdout, _ = make("minimal")
    out.error("Impossible to refresh.", tail=[RELOGIN], prefix="Error: ")
    out.finish(False)
    assert stdout.getvalue().splitlines() == ["Error: Impossible to refresh."]


def test_error_result_tail_kept_in_minimal_and_json():
    out, stdout, _ = make("minimal")
    out.error("Compilation Error: x", tail=[COMPILE], prefix="Error: ")
    assert stdout.getvalue().splitlines() == ["Error: Compilation Error: x", COMPILE]
    out, stdout, _ = make("json")
    out.error("Compilation Error: x", tail=[COMPILE, "Impossible to execute the command."], prefix="Error: ")
    out.finish(False)
    assert json.loads(stdout.getvalue()) == {"Error": "Compilation Error: x", "Details": [COMPILE]}


def test_object_info_is_info_level():
    blocks = [{"Device": {"id": "1"}}, "And 1 more Device(s)."]
    out, stdout, _ = make(None)
    out.object_info(blocks)
    out.finish(True)
    assert stdout.getvalue().splitlines() == ["Device: ", "  id: 1", "And 1 more Device(s).", SUCCEEDS]
    out, stdout, _ = make("minimal")
    out.object_info(blocks)
    out.finish(True)
    assert stdout.getvalue() == ""
    out, stdout, _ = make("json")
    out.object_info(blocks)
    out.finish(True)
    assert json.loads(stdout.getvalue()) == {}


def test_control_characters_are_escaped_in_text_and_raw_in_json():
    name = "Bell\x07\x1b[31mRed\x9b"
    assert escape_control(name) == "Bell\\x07\\x1b[31mRed\\x9b"
    assert escape_control("tab\tand\nnewline") == "tab\tand\nnewline"  # layout characters stay
    assert format_text({"name": name}) == ["name: Bell\\x07\\x1b[31mRed\\x9b"]
    assert format_text({"name": name}, color=True)[0].startswith("\x1b[32mname: ")  # our own colour stays
    for mode in ("default", "minimal"):
        stdout = io.StringIO()
        out = Output(mode, stdout, io.StringIO())
        out.info(f'Product "{name}" is created successfully.')
        out.data({"Product": {"name": name}})
        out.error(f'Product "{name}" is not found.', prefix="Error: ")
        assert "\x1b" not in stdout.getvalue() and "\x07" not in stdout.getvalue()
    stdout = io.StringIO()
    Output("json", stdout, io.StringIO()).data({"name": name})
    assert json.loads(stdout.getvalue()) == {"name": name}


def test_json_error_lists_the_candidates_of_an_ambiguous_identifier():
    stdout = io.StringIO()
    candidates = [{"Device": {"id": "a", "name": "twin"}}, {"Device": {"id": "b", "name": "twin"}}]
    Output("json", stdout, io.StringIO()).error('Multiple Devices "twin" are found:', candidates)
    assert json.loads(stdout.getvalue()) == {"Error": 'Multiple Devices "twin" are found:', "Candidates": candidates}
