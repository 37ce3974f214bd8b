"""Hierarchical identifiers: the error names the part of `{account}{product}{dg}` that failed."""

import pytest


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["product", "info", "-p", "{nobody}{P1}"], 'Error: Account "nobody" is not found.'),
        (["dg", "info", "-g", "{me}{nope}{DG1}"], 'Error: Product "nope" is not found.'),
        (["dg", "info", "-g", "{demo}{P1}{nope}"], 'Error: Device Group "nope" is not found.'),
        # Two parts are not a Device Group's form: the whole text is a plain name.
        (["dg", "info", "-g", "{me}{P1}"], 'Error: Device Group "{me}{P1}" is not found.'),
        # More parts than a Product has: simply not found, as in impt 2.6.
        (["product", "info", "-p", "{me}{P1}{}"], 'Error: Product "{me}{P1}{}" is not found.'),
    ],
)
def test_failed_part_is_named(impt, product, argv, message):
    failed = impt(*argv)
    assert failed.code == 4 and failed.lines[0] == message


def test_hierarchical_success_and_json_error(impt, product):
    assert impt.ok("product", "info", "-p", "{me}{P1}", "-z", "json").json["Product"]["id"] == product["product"]
    failed = impt("dg", "info", "-g", "{me}{P1}{nope}", "-z", "json")
    assert failed.code == 4 and failed.json == {"Error": 'Device Group "nope" is not found.'}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["product", "info", "-p", "{}{P1}"], "Error: No Account Identifier is specified."),
        (["product", "info", "-p", "{me}{}"], "Error: No Product Identifier is specified."),
        (["dg", "info", "-g", "{me}{ }{DG1}"], "Error: No Product Identifier is specified."),
        (["dg", "info", "-g", "{me}{P1}{}"], "Error: No Device Group Identifier is specified."),
    ],
)
def test_an_empty_part_is_not_specified(impt, product, emulator, argv, message):
    emulator.clear_requests()
    failed = impt(*argv)
    assert failed.code == 2 and failed.lines[0] == message
    assert emulator.requests() == []


def test_json_ambiguity_lists_the_candidates(impt, product):
    impt.ok("product", "create", "-n", "P2")
    impt.ok("dg", "create", "-n", "Twin", "-p", "P1")
    impt.ok("dg", "create", "-n", "Twin", "-p", "P2")
    failed = impt("dg", "info", "-g", "Twin", "-z", "json")
    assert failed.code == 4 and failed.json["Error"] == 'Multiple Device Groups "Twin" are found:'
    assert [c["Device Group"]["name"] for c in failed.json["Candidates"]] == ["Twin", "Twin"]
