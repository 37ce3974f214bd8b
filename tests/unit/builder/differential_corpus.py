"""Builder inputs run through Builder 4.2.1 and ours (test_differential.py): every directive, expression,
function, macro, include form and error case of Builder's README, written for this corpus or generated.

A case is a folder of files, the input file and pleasebuild's options (`-D` definitions, the environment,
`-l`, `--use-remote-relative-includes`, `--suppress-duplicate-includes-warning`). `{URL}` in a file is the
test's local HTTP server. The expected values come from Builder 4.2.1 itself, run by the test.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Case:
    id: str
    files: dict[str, str]
    input: str = "main.nut"
    defines: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    line_control: bool = False
    remote_relative: bool = False
    suppress_duplicates: bool = False
    http: dict[str, str] = field(default_factory=dict)  # files the local HTTP server serves


CASES: list[Case] = []


def case(name: str, main: str, files: dict[str, str] | None = None, **options: object) -> None:
    CASES.append(Case(name, {"main.nut": main, **(files or {})}, **options))  # type: ignore[arg-type]


# ---- expressions: types and literals (README "Types") ----
for name, text in {
    "integers": "@{1} @{0} @{42} @{007}",
    "exponents": "@{1E6} @{1e-6} @{1e+3} @{2E0} @{1.5e300 * 1e10}",
    "decimals": "@{1.567} @{.5} @{1.} @{0.1 + 0.2} @{1 / 3} @{2 / 3}",
    "big and small numbers": "@{1e21} @{1e20} @{123456789012345680000} @{1e-7} @{0.000001} @{5e-324}",
    "negative numbers": "@{-1e-7} @{-0} @{-1.5} @{-(2)} @{- -3}",
    "number formatting": "@{100 / 3} @{10 / 4} @{10 / 2} @{1 / 7} @{3 * 1.1}",
    "double-quoted strings": '@{"abc"} @{"a\\"b"} @{"tab\\there"} @{"\\x"}',
    "single-quoted strings": "@{'abc'} @{'it\\'s'} @{'a\"b'}",
    "string escapes": '@{"a\\nb" | escape} @{"\\r\\t\\b\\f\\v" | escape} @{"\\\\" | escape}',
    "booleans": "@{true} @{false} @{!true} @{!!1}",
    "null": "@{null} @{nothing} @{null == nothing}",
    "arrays": "@{[1, 2, 3]} @{[]} @{[1, [2, 3]]} @{[null, 1]} @{['a', true]}",
    "unicode identifiers": "@set café 1\n@{café}",
    "dollar and underscore names": "@set $x 1\n@set _y 2\n@{$x + _y}",
}.items():
    case(f"literal {name}", text + "\n")

# ---- expressions: every binary operator against a table of operands (README "Operators") ----
OPERANDS = {
    "one": "1",
    "zero": "0",
    "negative": "-2.5",
    "numeric string": '"3"',
    "string": '"abc"',
    "empty string": '""',
    "true": "true",
    "false": "false",
    "null": "null",
    "array": "([1, 2])",
    "one-item array": "([5])",
    "undefined name": "missing",
}
BINARY = ["||", "&&", "==", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "%"]
for op in BINARY:
    for left_name, left in OPERANDS.items():
        lines = []
        for right_name, right in OPERANDS.items():
            if op in ("/", "%") and right_name == "zero":
                continue  # Builder refuses a 0 divisor: the error cases below
            lines.append(f"{right_name}: @{{{left} {op} {right}}}")
        case(f"operator {op} with {left_name} on the left", "\n".join(lines) + "\n")

for op in ("/", "%"):
    case(f"operator {op} by the number 0 is an error", f"before\n@{{1 {op} 0}}\n")
    case(f"operator {op} by the string 0 is not", f'@{{1 {op} "0"}} @{{-1 {op} null}} @{{0 {op} "0"}}\n')

for op in ("-", "+", "!"):
    case(f"unary {op}", "\n".join(f"{name}: @{{{op}{value}}}" for name, value in OPERANDS.items()) + "\n")

for name, text in {
    "multiplication before addition": "@{1 + 2 * 3} @{(1 + 2) * 3} @{10 - 4 - 3} @{2 * 3 % 4}",
    "comparison before equality": "@{1 < 2 == true} @{3 > 2 > 1} @{1 == 1 != false}",
    "and before or": "@{0 || 1 && 2} @{1 || 0 && 0} @{null && 1 || 'x'}",
    "filter between and and equality": '@{"a" == "a" | S.toUpperCase} @{1 || "b" | S.toUpperCase}',
    "ternary is lowest": "@{1 ? 2 : 3} @{0 ? 2 : 3} @{1 > 2 ? 'y' : 'n'} @{0 ? 1 : 0 ? 2 : 3}",
    "ternary after a filter": "@{'' | S.trim ? 'full' : 'empty'}",
    "string concatenation left to right": "@{'a' + 1 + 2} @{1 + 2 + 'a'} @{'1' - 1 + 1}",
    "unary binds tight": "@{-2 * 3} @{!0 + 1} @{-'3' + 1} @{+'3' + 1}",
    "both sides of || and && run": "@{1 || 2} @{0 && 1} @{'' || null} @{true && 'x'}",
    "spaces, tabs and no spaces": "@{1+2}@{ 1 + 2 }@{\t1\t+\t2\t}",
}.items():
    case(f"precedence {name}", text + "\n")

for name, text in {
    "trailing semicolon": "@{1 + 2;}",
    "separators between expressions fail": "@{1; 2}",
    "trailing comma": "@{'a',}",
    "strict equality is refused": "@{1 === 1}",
    "strict inequality is refused": "@{1 !== 2}",
    "bitwise and is refused": "@{1 & 2}",
    "bitwise xor is refused": "@{1 ^ 2}",
    "shift is refused": "@{1 << 2}",
    "tilde is refused": "@{~1}",
    "assignment is refused": "@{a = 1}",
    "this is refused": "@{this}",
    "an operator without a left side": "@{* 2}",
    "an operator without a right side": "@{2 *}",
    "an unclosed group": "@{(1 + 2}",
    "an unclosed string": "@{'abc}",
    "an unclosed bracket": "@{[1, 2}",
    "a number before a name": "@{1a}",
    "two periods": "@{1.2.3}",
    "a literal array takes no index": "@{[1, 2, 3][1]}",
    "a string literal takes no member": '@{"abc".length}',
    "an empty expression": "@{}",
    "a missing exponent": "@{1e}",
    "a lone period": "@{.}",
}.items():
    case(f"syntax {name}", "first line\n" + text + "\n")

# ---- member expressions and conditional expressions (README) ----
for name, text in {
    "index of a grouped array": "@{([1, 2, 3])[1]} @{([1, 2, 3])['2']} @{([1, 2, 3]).length}",
    "member of a set array": "@set A [10, 20]\n@{A[0] + A[1]} @{A.length}",
    "member of a loop": "@repeat 2\n@{loop.index}/@{loop['iteration']}\n@end",
    "index out of range": "@{([1, 2])[5]}",
    "negative index": "@{([1, 2])[-1]}",
    "member of null": "@{missing.x}",
    "member of zero": "@set Z 0\n@{Z.x}",
    "member of a string": "@set S2 'abc'\n@{S2.length}",
    "member of a number": "@set N 5\n@{N.x}",
    "unknown member of S": "@{S.nothing}",
    "nested ternaries": "@{1 ? 0 ? 'a' : 'b' : 'c'} @{(0 ? 1 : 2) + 1}",
    "ternary with strings": "@{'' ? 'yes' : 'no'} @{'0' ? 'yes' : 'no'} @{[] ? 'yes' : 'no'}",
    "unclosed ternary": "@{1 ? 2}",
}.items():
    case(f"member {name}", text + "\n")

# ---- functions (README "Builder Functions") ----
FUNCTION_CALLS = {
    "escape": ["'a\"b'", '"it\'s"', "'back\\\\slash'", "'line\\nbreak'", "5", "null", "", "[1, 'a\"']"],
    "base64": ["'hi'", "'café'", "1", "''", "null", "", "true"],
    "min": ["4, 2, 8", "1", "'3', 2", "([1, 2])", "([7])", "null, 1", "'x', 1", "-1, -0.5", ""],
    "max": ["4, 2, 8", "1", "'3', 2", "([1, 2])", "true, 0", "missing, 1", ""],
    "abs": ["-5", "5", "'-2.5'", "null", "'x'", "-0", ""],
}
for function, argument_lists in FUNCTION_CALLS.items():
    for index, arguments in enumerate(argument_lists):
        case(f"function {function}({arguments or 'no arguments'}) #{index}", f"=@{{{function}({arguments})}}=\n")

STRING_CALLS = {
    "concat": ["'a', 'b'", "'a', 1, null, true", "1, 2", "'a'", "[1, 2], 3"],
    "endsWith": ["'abc', 'c'", "'abc', 'b'", "'abc', 'b', 2", "'abc', ''", "'abc', 'c', -1", "'abc', 'abcd'"],
    "includes": ["'abc', 'b'", "'abc', 'x'", "'abc', 'a', 1", "'abc', ''", "'abc', null", "'a null', null"],
    "repeat": ["'ab', 2", "'ab', 0", "'ab', '3'", "'ab', 1.9", "'ab', -1", "'ab'"],
    "split": ["'a,b,c', ','", "'a,b,c', ',', 2", "'abc', ''", "'abc'", "'', ','", "'', ''", "'a,b', ',', 0"],
    "startsWith": ["'abc', 'a'", "'abc', 'b'", "'abc', 'b', 1", "'abc', '', 5", "'abc', 'a', -3"],
    "substr": ["'abcdef', 1, 3", "'abcdef', -2", "'abcdef', 2", "'abcdef', 10", "'abcdef', 1, -1", "'abcdef'"],
    "substring": ["'abcdef', 1, 3", "'abcdef', 4, 1", "'abcdef', -2", "'abcdef', 2, 100", "'abcdef', 'x'"],
    "toLowerCase": ["'AbC'", "'ÀÉ'", "12"],
    "toUpperCase": ["'AbC'", "'straße'", "true"],
    "trim": ["'  a b  '", "'\\t\\na\\n'", "''"],
    "trimLeft": ["'  a  '", "'a'"],
    "trimRight": ["'  a  '", "'a  '"],
}
for function, argument_lists in STRING_CALLS.items():
    for index, arguments in enumerate(argument_lists):
        case(f"function S.{function}({arguments}) #{index}", f"=@{{S.{function}({arguments})}}=\n")
for function in ("concat", "trim", "split"):
    case(f"function S.{function} without a string", f"@{{S.{function}()}}\n")
    case(f"function S.{function} of null", f"@{{S.{function}(null)}}\n")
case("function S.split joined", "@{S.split('a-b-c', '-')[1]} @{S.split('a-b', '-')}\n")

for name, text in {
    "defined of a set variable": "@set A 1\n@{defined(A)} @{defined(B)}",
    "defined of a definition": "@{defined(FROM_D)} @{defined(FROM_ENV)}",
    "defined of a built-in": "@{defined(__FILE__)} @{defined(min)} @{defined(S)} @{defined(include)}",
    "defined of a macro": "@macro m()\n@end\n@{defined(m)} @{defined(n)}",
    "defined of a loop variable": "@{defined(loop)}\n@repeat 1\n@{defined(loop)}\n@end",
    "defined with a string is refused": "@{defined('A')}",
    "defined with an expression is refused": "@{defined(1 + 1)}",
    "defined without an argument": "@{defined()}",
    "a function name alone": "@{min} @{escape} @{defined} @{include}",
    "an unknown function": "@{nothing(1)}",
    "calling a number": "@set N 5\n@{N(1)}",
    "calling a string names the function": "@set F 'max'\n@{F(1, 7)}",
    "min without arguments": "@{min()}",
    "include without arguments": "@{include()}",
    "extra arguments are ignored": "@{abs(-1, 2, 3)} @{escape('a', 'b')}",
}.items():
    case(f"function {name}", text + "\n", defines={"FROM_D": "d"}, env={"FROM_ENV": "e"})

# ---- filters (README "Filters") ----
for name, text in {
    "escape filter": "a = \"@{include('page.html') | escape}\"",
    "base64 filter": "b = \"@{include('file.bin') | base64}\"",
    "filter with arguments": "@{'a-b' | S.split('-')} @{'ab' | S.repeat(2)} @{'x' | S.concat('y', 'z')}",
    "chained filters": "@{'  Ab ' | S.trim | S.toLowerCase | base64}",
    "filter of a number": "@{-5 | abs} @{3 | S.repeat}",
    "filter to an unknown function": "@{1 | nothing}",
    "filter to a macro": "@macro wrap(x)\n[@{x}]\n@end\n@{'v' | wrap}",
}.items():
    case(f"filter {name}", text + "\n", {"page.html": '<a href="x">\n\t"quoted"\n', "file.bin": "binary\u00e9"})

# ---- variables (README "Variables") ----
for name, text, options in [
    ("definitions are strings", "@{N + 1} @{N * 2}", {"defines": {"N": "5"}}),
    ("definitions win over @set", "@set X 'set'\n@{X}", {"defines": {"X": "cli"}}),
    ("@set wins over the environment", "@set HOME_DIR 'set'\n@{HOME_DIR}", {"env": {"HOME_DIR": "/home/u"}}),
    ("environment variables", "@{HOME_DIR} @{HOME_DIR | S.toUpperCase}", {"env": {"HOME_DIR": "/home/u"}}),
    ("an empty definition", "[@{E}] @{defined(E)}", {"defines": {"E": ""}}),
    ("a definition shadows a built-in", "@{escape}", {"defines": {"escape": "shadow"}}),
    ("@set cannot shadow a built-in", "@set min 5\n@{min} @{min(3, 4)}", {}),
    ("@set forms", "@set A 1\n@set B = 2\n@set C=3\n@set D =4\n@{A}@{B}@{C}@{D}", {}),
    ("@set with a trailing semicolon", "@set A 1;\n@set B = 'x';\n@{A}@{B}", {}),
    ("@set with a comment", "@set A 'v' // not in the output\n@set B /* inline */ 2\n@{A}@{B}", {}),
    ("@set from a function", "@set M min(1, 2, 3)\n@set L S.split('a,b', ',')\n@{M} @{L[1]}", {}),
    ("@set reuses itself", "@set N 1\n@set N N + 1\n@set N N * 10\n@{N}", {}),
    ("@set is global", "@macro m()\n@set G 'from macro'\n@end\n@include m()\n@{G}", {}),
    ("@set of a boolean expression", "@set B (12 > 4)\n@{B}", {}),
    ("@set name with a dollar inside", "@set a$b 1\n@{a}", {}),
    ("__LINE__", "a\nb @{__LINE__}\n\n@{__LINE__}", {}),
    ("__FILE__ and __PATH__ of the input", "@{__FILE__} @{__PATH__ == __PATH__}", {}),
    ("__REPO_REF__ and __URL_ROOT__ of a local file", "[@{__REPO_REF__}] [@{__URL_ROOT__}]", {}),
    ("loop variables", "@while !defined(DONE)\n@{loop.index} @{loop.iteration}\n@set DONE 1\n@end", {}),
]:
    case(f"variable {name}", text + "\n", **options)

# ---- comments (README "Comments") ----
for name, text in {
    "at-sign comments": "@ a Builder comment\n@\n  @ indented comment\ncode",
    "a tab after the at-sign": "@\tcomment\nafter",
    "directive comments": "@set A 1 // comment\n@if A // comment\nyes\n@end // comment",
    "block comments in directives": "@set A /* one */ 1 /* two */\n@{A}",
    "an unclosed block comment": "@set A 1 /* never closed\n@{A}",
    "a comment marker in a string": "@set U 'http://example.com/a' // note\n@{U}",
    "squirrel comments are output": "// kept\n/* kept */\nlocal x = 1; // kept",
    "an at-sign inside a line": 'local s = @"verbatim";\nx @ y',
    "an unknown at-word is output": "@frobnicate 1\n@includes x\n@setup()",
    "an at-sign at the end of the file": "text\n@",
    "an unclosed inline expression is output": "a @{ b\nc @{1 + 2",
}.items():
    case(f"comment {name}", text)

# ---- directives (README "Directives") ----
for name, text in {
    "inline expression": "The result is: @{123 * 456}.",
    "several inline expressions": "@{1}-@{2}-@{'}'}-@{\"{\"}",
    "inline at line start": "@{1} at start",
    "@set example": (
        '@set SOME_INT 10\n@set SOME_STRING "my string"\nserver.log(@{SOME_INT});\nserver.log("@{SOME_STRING}");'
    ),
    "@if true": "@if 1\nyes\n@endif",
    "@if false": "@if 0\nno\n@endif\nafter",
    "@if @else": "@if 0\na\n@else\nb\n@end",
    "@elseif chain": "@if 0\na\n@elseif 0\nb\n@elseif 2 > 1\nc\n@elseif 1\nd\n@else\ne\n@endif",
    "@elseif without match": "@if 0\na\n@elseif 0\nb\n@endif\nafter",
    "nested @if": "@if 1\n@if 0\nx\n@else\ny\n@end\n@end",
    "@if with parentheses": "@if(1)\nyes\n@end",
    "@if of a string": "@if 'false'\nstring is true\n@end\n@if ''\nno\n@end",
    "@if of an empty array": "@if []\narray is true\n@end",
    "@if on __FILE__": "@if __FILE__ == 'main.nut'\nmain\n@elseif __FILE__ == 'def.ext'\ndef\n@else\nother\n@endif",
    "@while": "@set myvar 12\n@while myvar > 9\n@set myvar myvar - 1\nvar: @{myvar}\n  loop.index: @{loop.index}\n@end",
    "@while false": "@while 0\nnever\n@endwhile\nafter",
    "@while condition has no loop variable": "@set I 0\n@while I < 2\n@set I I + 1\n@{loop.index}\n@endwhile",
    "@repeat": "@repeat 3\n  loop.index: @{loop.index}\n  loop.iteration: @{loop.iteration}\n\n@end",
    "@repeat zero": "@repeat 0\nnever\n@endrepeat\nafter",
    "@repeat an expression": "@set N 2\n@repeat N + 1\nr\n@end",
    "nested loops": "@repeat 2\n@repeat 2\n@{loop.index}\n@end\n/@{loop.index}\n@end",
    "@error": '@set PLATFORM "p9"\n@error "Platform " + PLATFORM + " is unsupported"',
    "@error of a number": "@error 42",
    "@error inside a false branch": "@if 0\n@error 'never'\n@end\nok",
    "@warning": '@if PLATFORM == "platform1"\none\n@else\n@warning "Building for default platform"\ndefault\n@endif',
    "@warning twice": "@warning 'a'\n@warning 1 + 1\ndone",
    "directive indentation": "  @set A 1\n\t@if A\n    in\n  @end",
    "directive with trailing spaces": "@set A 1   \n@if A   \nyes\n@end   ",
    "directives need a separator": "@ifx\n@set_x 1\n@endx",
    "@end closes every block": "@if 1\n@repeat 1\n@while 0\n@end\nr\n@end\ni\n@end",
    "windows line ends": "@set A 1\r\n@if A\r\nyes\r\n@end\r\nline @{__LINE__}\r\n",
    "a lone carriage return": "a\rb @{__LINE__}\nc @{__LINE__}",
    "no final newline": "last line",
    "an empty file": "",
    "only a newline": "\n",
}.items():
    case(f"directive {name}", text, defines={"PLATFORM": "platform2"} if "PLATFORM ==" in text else {})

# ---- macros (README "@macro") ----
POEM = "@macro some_macro(a, b, c)\n    Hello, @{a}!\n    Roses are @{b},\n    And violets are @{c}\n@end\n"
OPTIONAL = (
    "@macro some_macro(a, b, c)\n    Hello, @{a}!\n    Roses are @{b},\n"
    '    And violets are @{defined(c) ? c : "of undefined color"}.\n@end\n'
)
for name, text in {
    "used inline": POEM + '@\npoem <- @"@{some_macro("username", "red", "blue")}";\nserver.log(poem);',
    "used with @include": POEM + 'poem <- @"\n@include some_macro("username", "red", "blue")\n";',
    "optional parameter": OPTIONAL + 'poem <- @"\n@include some_macro("username", "red")\n";',
    "@endmacro": "@macro m(x)\n<@{x}>\n@endmacro\n@include m(1)",
    "no parameters": "@macro m()\nbody\n@end\n@include m()\n@{m()}",
    "extra arguments are dropped": "@macro m(a)\n@{a}\n@end\n@include m(1, 2, 3)",
    "missing arguments are null": "@macro m(a, b)\n@{a}/@{b}\n@end\n@include m(1)",
    "parameters shadow globals": "@set a 1\n@macro m(a)\n@{a}\n@end\n@include m(2)\n@{a}",
    "parameters shadow definitions": "@macro m(D)\n@{D}\n@end\n@include m('param')\n@{D}",
    "a missing parameter shows the caller's variable": (
        "@macro inner(x)\n[@{x}]\n@end\n@macro outer(x)\n@include inner()\n@end\n@include outer('outer x')"
    ),
    "macros see @set made before the call": "@macro m()\n@{V}\n@end\n@set V 'late'\n@include m()",
    "a macro used before its declaration": "@include m()\n@macro m()\nx\n@end",
    "a macro declared in a false branch": "@if 0\n@macro m()\nx\n@end\n@end\n@include m()",
    "inline trims one newline": "@macro m()\na\n\n@end\n[@{m()}]",
    "inline macro in a loop": "@macro m(i)\n<@{i}>\n@end\n@repeat 2\n@{m(loop.index)}\n@end",
    "include once still includes macros": "@macro m()\nm\n@end\n@include once m()\n@include once m()",
    "a macro that calls a macro": "@macro a(x)\n(@{x})\n@end\n@macro b(x)\n@include a(x + 1)\n@end\n@include b(1)",
    "__LINE__ inside a macro": "@macro m()\nline @{__LINE__}\n@end\n\n@include m()",
    "macro output in a string": '@macro m()\nx\n@end\nv = "@{m() | escape}"',
    "a declaration with a trailing semicolon": "@macro m(a);\n@{a}\n@end\n@include m(1);",
    "a macro named like a function": "@macro escape(a)\n@{a}\n@end\n@include escape('x')",
}.items():
    case(f"macro {name}", text + "\n", defines={"D": "definition"})

# ---- errors (one per message of Builder's parser and machine) ----
for name, text in {
    "@set without a value": "@set X",
    "@set without a name": "@set = 1",
    "@set with a bad expression": "@set X (",
    "@include without a path": "@include",
    "@include once without a path": "@include once",
    "@if without a condition": "@if\n@end",
    "@elseif without a condition": "@if 0\n@elseif\n@end",
    "@while without a condition": "@while\n@end",
    "@repeat without a count": "@repeat\n@end",
    "@macro without a declaration": "@macro\n@end",
    "@error without a message": "@error",
    "@warning without a message": "@warning",
    "@else with an argument": "@if 1\n@else 1\n@end",
    "@end with an argument": "@if 1\n@end 1",
    "@endif with an argument": "@if 1\n@endif x",
    "@else without @if": "@else",
    "@else in a loop": "@repeat 1\n@else\n@end",
    "@elseif without @if": "@elseif 1",
    "@endif without @if": "@endif",
    "@end without a block": "a\n@end",
    "@endwhile closing @if": "@if 1\n@endwhile",
    "@endrepeat closing @while": "@while 0\n@endrepeat",
    "@endmacro closing @repeat": "@repeat 1\n@endmacro",
    "@endif closing @macro": "@macro m()\n@endif",
    "two @else": "@if 0\n@else\n@else\n@end",
    "@elseif after @else": "@if 0\n@else\n@elseif 1\n@end",
    "unclosed @if": "a\n@if 1\nb\n\n@ comment",
    "unclosed @else": "@if 0\n@else\nx",
    "unclosed @macro": "@macro m()\nx",
    "unclosed @while": "@while 0\nx\ny",
    "unclosed @repeat": "@repeat 1",
    "bad inline expression": "x\n@{1 +}",
    "inline error in a false branch": "@if 0\n@{1 +}\n@end",
    "expression error in a false branch is none": "@if 0\n@set X (\n@end\nok",
    "macro declared twice": "@macro A()\n@end\n@macro A()\n@end",
    "macro declared in a loop": "@repeat 2\n@macro m()\n@end\n@end",
    "macro with a default argument": "@macro m(a, b = 1)\n@end",
    "macro with a literal parameter": "@macro m(1)\n@end",
    "macro without parentheses": "@macro m\n@end",
    "missing local file": '@include "gone.nut"',
    "missing local file in a folder": '@include "lib/../gone.nut"',
    "including a number": "@include 5",
    "including null": "@include nothing",
    "including a folder": '@include "lib"',
    "recursive include": '@include "main.nut"',
    "error in an included file": '@include "bad.nut"',
    "syntax error in an included file": '@include "broken.nut"',
    "error inside a macro": "@macro m()\n@{nothing.x}\n@end\nline\n@include m()",
    "error inside an inline macro": "@macro m()\n@{1 / 0}\n@end\nx @{m()}",
    "error in an @elseif": "@if 0\n@elseif missing.x\n@end",
    "error in a @while condition": "@while missing.x\n@end",
    "endless macro recursion": "@macro m()\n@include m()\n@end\n@include m()",
    "compound @include": '@include "a.nut"; "b.nut"',
}.items():
    case(
        f"error {name}",
        text + "\n",
        {"lib/x.nut": "x\n", "bad.nut": "ok\n@error 'bad ' + __FILE__\n", "broken.nut": "a\nb\n@end\n"},
    )

# ---- include forms (README "Include Files") ----
LIBRARY = {
    "lib/a.nut": '@include "b.nut"\nA @{__FILE__}\n',
    "lib/b.nut": "B @{__FILE__}\n",
    "b.nut": "root B\n",
    "lib/no-newline.nut": "no newline",
    "lib/vars.nut": "@set FROM_LIB 'lib'\n@macro libmacro(x)\nlib says @{x} in @{__FILE__}\n@end\n",
    "copy-of-b.nut": "B @{__FILE__}\n",
    "src/main2.nut": '@include "common.nut"\n@include "lib/b.nut"\n',
    "src/common.nut": "src common\n",
    "common.nut": "run-folder common\n",
    "data.txt": 'line "one"\nline two\n',
    "dir with space/file.nut": "spaced\n",
}
for name, text, options in [
    ("a local file", '@include "lib/b.nut"', {}),
    ("next to the including file first", '@include "lib/a.nut"', {}),
    ("with a trailing semicolon", '@include "lib/b.nut";\n@include once "lib/a.nut";', {}),
    ("with a comment", '@include "lib/b.nut" // the library', {}),
    ("with single quotes", "@include 'lib/b.nut'", {}),
    ("without a space", '@include"lib/b.nut"', {}),
    ("from an expression", "@set F 'lib/b'\n@include F + '.nut'", {}),
    ("from a definition", "@include LIB", {"defines": {"LIB": "lib/b.nut"}}),
    ("with dot segments", '@include "./lib/../lib/b.nut"', {}),
    ("with a backslash", '@include "lib\\\\b.nut"', {}),
    ("a file without a final newline", '@include "lib/no-newline.nut"\nnext', {}),
    ("variables and macros of an included file", '@include "lib/vars.nut"\n@{FROM_LIB}\n@include libmacro(1)', {}),
    ("once by path", '@include once "lib/b.nut"\n@include once "lib/b.nut"\n@include "lib/b.nut"', {}),
    ("once by content", '@include "lib/b.nut"\n@include once "copy-of-b.nut"', {}),
    ("once after the include function", "@{include('lib/b.nut')}\n@include once 'lib/b.nut'", {}),
    ("duplicate content warns", '@include "lib/b.nut"\n@include "copy-of-b.nut"', {}),
    (
        "duplicate warning suppressed",
        '@include "lib/b.nut"\n@include "copy-of-b.nut"',
        {"suppress_duplicates": True},
    ),
    ("the include function", "x = \"@{include('data.txt') | escape}\"", {}),
    ("the include function keeps directives", "@{include('lib/vars.nut')}@{FROM_LIB}", {}),
    ("a folder with a space", '@include "dir with space/file.nut"', {}),
    ("the input in a folder", "", {"input": "src/main2.nut"}),
    ("nested includes keep __LINE__", '\n\n@include "lib/a.nut"\n@{__LINE__} @{__FILE__}', {}),
]:
    case(f"include {name}", text + "\n", LIBRARY, **options)  # type: ignore[arg-type]

# ---- line control (pleasebuild -l) ----
for name, text in {
    "one file": "a\n@set X 1\nb @{X}\n\nc",
    "includes switch files": 'top\n@include "lib/a.nut"\nafter\n@include "lib/b.nut"\nend',
    "a macro from the same file": "@macro m()\nin macro\n@end\nbefore\n@include m()\nafter",
    "a macro from another file": '@include "lib/vars.nut"\nbefore\n@include libmacro(2)\nafter',
    "inline macros and include()": "@macro m()\nx\n@end\n@{m()} @{include('lib/b.nut')}\nlast",
    "loops and branches": "@repeat 2\nr @{loop.index}\n@end\n@if 0\nno\n@else\nyes\n@end",
    "an empty inline result first": '@{""}\nline',
}.items():
    case(f"line control {name}", text + "\n", LIBRARY, line_control=True)

# ---- remote includes over HTTP (README "Remote Include Files"), from the test's local server ----
HTTP = {
    "remote/lib.nut": "R @{__FILE__} @{__PATH__} @{__URL_ROOT__ == URL} @{__URL_PATH__}\n",
    "remote/parent.nut": '@include "child.nut"\nparent\n',
    "remote/rooted.nut": '@include "/remote/child.nut"\nrooted\n',
    "remote/child.nut": "remote child\n",
    "remote/deep/up.nut": '@include "../child.nut"\n',
    "child.nut": "root child on the server\n",
}
for name, text, options in [
    ("a URL", '@include "{URL}/remote/lib.nut"', {}),
    ("a URL with a trailing semicolon", '@include "{URL}/remote/child.nut";', {}),
    ("once by URL", '@include once "{URL}/remote/child.nut"\n@include once "{URL}/remote/child.nut"', {}),
    ("the include function on a URL", "@{include('{URL}/remote/child.nut') | escape}", {}),
    ("a missing URL", '@include "{URL}/remote/gone.nut"', {}),
    ("a relative include looks locally by default", '@include "{URL}/remote/parent.nut"', {}),
    ("a relative include stays remote", '@include "{URL}/remote/parent.nut"', {"remote_relative": True}),
    ("a rooted include stays remote", '@include "{URL}/remote/rooted.nut"', {"remote_relative": True}),
    ("dot-dot stays remote", '@include "{URL}/remote/deep/up.nut"', {"remote_relative": True}),
    ("line control names the URL", 'x\n@include "{URL}/remote/child.nut"\ny', {"line_control": True}),
]:
    case(
        f"http {name}",
        text + "\n",
        {"child.nut": "local child\n"},
        http=HTTP,
        defines={"URL": "{URL}"},
        **options,  # type: ignore[arg-type]
    )
