"""Plain Python values written as Squirrel literals (the way values enter a VM)."""

from __future__ import annotations

import pytest

from impcentral_emulator.runtime.values import Unsendable, to_json_ready, to_literal


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        (None, "null"),
        (True, "true"),
        (False, "false"),
        (42, "42"),
        (2**31 - 1, "2147483647"),
        (2**31, "2147483648.0"),  # past the imp's 32-bit integers: a float, as Squirrel's lexer reads it
        (2**70, "1.1805916207174113e+21"),
        (1.0, "1.0"),
        (float("inf"), "(1.0/0.0)"),
        ('a"b\\\n', '"a\\x22b\\x5c\\x0a"'),
        ("é", '"\\xc3\\xa9"'),
        (b"\x00A", 'B("\\x00A")'),
        ([1, [None]], "[1,[null]]"),
        ({"k": 1, 2: "v"}, '{["k"]=1,[2]="v"}'),
    ],
)
def test_literals(value, literal):
    assert to_literal(value) == literal


def test_values_python_cannot_express_in_squirrel_are_refused():
    with pytest.raises(Unsendable):
        to_literal(object())


def test_json_ready_turns_blobs_into_strings():
    assert to_json_ready({"b": b"\x01A", "l": [b"x"]}) == {"b": "\x01A", "l": ["x"]}
