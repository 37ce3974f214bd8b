"""Property: any argument list for any impt command ends in success or one clear `Error:` line, never a traceback.

Generated arguments mix each command's real options (long and short spellings, `--opt=value`) with random
option names, empty values, `}{`, unicode and values that look like options. Commands that stream forever,
log in/out or could reach a non-loopback host are left out (the corpus covers their bad input).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from relsuite import assert_clear_outcome

from impt import commands

SKIP_COMMANDS = {("log", "stream"), ("auth", "login"), ("auth", "logout"), ("test", "run")}
SKIP_OPTIONS = {"log", "endpoint", "help"}


def _commands() -> list:
    found = []
    for group in commands.available_groups():
        for command in commands.load_group(group).COMMANDS:
            if (group, command.name) not in SKIP_COMMANDS:
                found.append(command)
    return found


COMMANDS = _commands()
SPECIAL_VALUES = ["", "}{", "{}", "-", "--", "true", "false", "0", "-1", "1e9", "💥", "ünï/cödé", " ", "a" * 300]
values = st.one_of(
    st.sampled_from(SPECIAL_VALUES),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=20),
).filter(lambda v: "://" not in v)


@st.composite
def argv(draw):
    command = draw(st.sampled_from(COMMANDS))
    names = [o for o in command.all_options if o.name not in SKIP_OPTIONS]
    tokens = [command.group, command.name]
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.integers(0, 5))
        if kind == 0 or not names:
            tokens.append("--" + draw(st.text(st.sampled_from("abcxyz-}{é"), min_size=1, max_size=8)))
        else:
            option = draw(st.sampled_from(names))
            spelling = draw(st.sampled_from([f"--{option.name}", f"-{option.alias}"]))
            if kind == 1:
                tokens.append(f"{spelling}={draw(values)}")
                continue
            tokens.append(spelling)
        if draw(st.booleans()):
            tokens.append(draw(values))
    return tokens


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(args=argv())
def test_any_arguments_end_clearly(args, impt_in, tried):
    tried["console hypothesis examples"] += 1
    result = impt_in(*args)
    assert_clear_outcome(result, args)


def test_every_command_is_generated():
    assert {(c.group, c.name) for c in COMMANDS} >= {("product", "list"), ("dg", "create"), ("build", "deploy")}
    assert len(COMMANDS) >= 40
