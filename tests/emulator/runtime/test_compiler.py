"""The compile check behind CX005: file, row, column and the compiler's message."""

from __future__ import annotations

from impcentral_emulator.runtime import compile_errors


def test_code_that_compiles_has_no_errors():
    assert compile_errors('local v = 40 + 2; server.log("answer " + v);', "http.onrequest(function(q, r) {});") == []


def test_each_file_that_does_not_compile_is_located():
    device = 'server.log("ok");\nlocal x = ;\n'
    agent = "class A {\n  function f( {\n  }\n}\n"
    assert compile_errors(device, agent) == [
        {"file": "device_code", "row": 2, "column": 11, "text": "expression expected", "type": "error"},
        {"file": "agent_code", "row": 2, "column": 15, "text": "expected 'IDENTIFIER'", "type": "error"},
    ]


def test_only_the_broken_file_is_reported():
    assert compile_errors("", "local t = {;") == [
        {"file": "agent_code", "row": 1, "column": 12, "text": "expected 'IDENTIFIER'", "type": "error"},
    ]


def test_the_check_writes_nothing_to_the_process_streams(capfd):
    compile_errors("local x = ;", "}")
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
