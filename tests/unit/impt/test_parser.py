"""Option parsing: aliases, optional values, repeatable filters and impt's error texts."""

import pytest

from impt import options as o
from impt.commands import builds as build
from impt.commands import dg, product
from impt.errors import UsageError
from impt.parser import parse, peek_output, wants_help


def command(module, name):
    return next(c for c in module.COMMANDS if c.name == name)


DEPLOY = command(build, "deploy")
BUILD_LIST = command(build, "list")
PRODUCT_CREATE = command(product, "create")
PRODUCT_DELETE = command(product, "delete")
DG_CREATE = command(dg, "create")
DG_UPDATE = command(dg, "update")


def test_long_and_alias_in_any_order():
    args = parse(PRODUCT_CREATE, ["-s", "d", "--name", "P1"])
    assert args.name == "P1" and args.descr == "d" and args.owner is None


def test_inline_value_and_glued_alias():
    assert parse(PRODUCT_CREATE, ["--name=P1"]).name == "P1"
    assert parse(PRODUCT_CREATE, ["-nP1"]).name == "P1"


def test_empty_value_allowed_for_descr_not_for_name():
    assert parse(PRODUCT_CREATE, ["-n", "P", "-s", ""]).descr == ""
    with pytest.raises(UsageError, match='Option "--name" must not be empty.'):
        parse(PRODUCT_CREATE, ["-n", ""])


def test_missing_required_and_missing_value():
    with pytest.raises(UsageError, match="Missing required argument: name"):
        parse(PRODUCT_CREATE, [])
    with pytest.raises(UsageError, match="Not enough arguments following: name"):
        parse(PRODUCT_CREATE, ["--name"])
    with pytest.raises(UsageError, match="Not enough arguments following: name"):
        parse(PRODUCT_CREATE, ["--name", "-s", "x"])


@pytest.mark.parametrize(
    ("tokens", "typed"),
    [(["-n"], "n"), (["--name"], "name"), (["-n", "P", "-z"], "z"), (["-n", "P", "--output"], "output")],
)
def test_a_missing_value_names_the_option_as_typed(tokens, typed):
    with pytest.raises(UsageError) as caught:
        parse(PRODUCT_CREATE, tokens)
    assert str(caught.value) == f"Not enough arguments following: {typed}"


def test_single_dash_long_options_as_yargs_reads_them():
    args = parse(PRODUCT_CREATE, ["-name", "P", "-descr", "d", "-output", "json"])
    assert (args.name, args.descr, args.output) == ("P", "d", "json")
    with pytest.raises(UsageError, match="Not enough arguments following: name"):
        parse(PRODUCT_CREATE, ["-name"])


def test_a_flag_given_twice_is_accepted():
    args = parse(PRODUCT_DELETE, ["-q", "--force", "-q"])
    assert args.confirmed and args.force


def test_unknown_option_and_extra_words():
    with pytest.raises(UsageError, match="Unknown argument: foo"):
        parse(PRODUCT_CREATE, ["-n", "P", "--foo"])
    with pytest.raises(UsageError, match=r"Unknown arguments: extra\."):
        parse(PRODUCT_CREATE, ["-n", "P", "extra"])


def test_options_are_case_sensitive():
    with pytest.raises(UsageError):
        parse(PRODUCT_CREATE, ["--Name", "P"])


def test_repeated_single_option_rejected():
    with pytest.raises(UsageError, match='Option "--name" must not be specified multiple times.'):
        parse(PRODUCT_CREATE, ["-n", "a", "-n", "b"])


def test_flags_reject_false_and_combine():
    args = parse(PRODUCT_DELETE, ["-fbq"])
    assert args.force and args.builds and args.confirmed
    assert parse(PRODUCT_DELETE, ["--force", "true"]).force is True
    with pytest.raises(UsageError, match='Option "--force" has incorrect value "false".'):
        parse(PRODUCT_DELETE, ["--force", "false"])


def test_optional_value_boolean():
    assert parse(DEPLOY, ["--flagged"]).flagged is True
    assert parse(DEPLOY, ["--flagged", "false"]).flagged is False
    assert parse(DEPLOY, ["-f", "true", "-g", "DG"]).flagged is True
    assert parse(DEPLOY, ["-g", "DG"]).flagged is None
    assert parse(DG_UPDATE, ["--load-code-after-blessing=false"]).load_code_after_blessing is False
    with pytest.raises(UsageError, match="incorrect value"):
        parse(DEPLOY, ["--flagged=maybe"])


def test_repeatable_filters_collect_values():
    args = parse(BUILD_LIST, ["-t", "a", "--tag", "b", "-p", "P"])
    assert args.tag == ["a", "b"] and args.product == ["P"] and args.sha == []


def test_choices_and_default():
    assert parse(DG_CREATE, ["-n", "X"]).dg_type == "development"
    with pytest.raises(UsageError, match='Given: "prod"'):
        parse(DG_CREATE, ["-n", "X", "-y", "prod"])


def test_help_and_output_peeking():
    assert wants_help(["--bogus", "-h"])
    assert not wants_help(["--", "-h"])
    assert peek_output(["-z", "json"]) == "json"
    assert peek_output(["--output=minimal"]) == "minimal"


def test_usage_lines_match_impt():
    assert PRODUCT_CREATE.usage_line() == (
        "Usage: impt product create --name <product_name> [--descr <product_description>] "
        "[--owner <ACCOUNT_IDENTIFIER>] [--output <mode>] [--help]"
    )
    assert DG_CREATE.usage_line().endswith("[--region <region_name>] [--output <mode>] [--env-variable] [--help]")
    assert "[--flagged [true|false]]" in DEPLOY.usage_line()


def test_aliases_unique_per_command():
    from impt.commands import account, auth, device, loginkey, webhook

    for module in (account, auth, build, device, dg, loginkey, product, webhook):
        for cmd in module.COMMANDS:
            aliases = [opt.alias for opt in cmd.all_options]
            names = [opt.name for opt in cmd.all_options]
            assert len(set(aliases)) == len(aliases), cmd.name
            assert len(set(names)) == len(names), cmd.name
            assert all(isinstance(opt, o.Option) for opt in cmd.all_options)


def test_single_dash_help_is_help():
    assert wants_help(["-g", "DG1", "-help"])
