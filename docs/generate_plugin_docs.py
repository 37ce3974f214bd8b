"""Render every plugin's documentation to Markdown in docs/plugins/, from `ansible-doc --json`.

Usage: .venv/bin/python docs/generate_plugin_docs.py   (the collection must resolve by FQCN)
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "plugins"
ANSIBLE_DOC = Path(sys.executable).parent / "ansible-doc"
COLLECTION = "electricimp.impcentral"
KINDS = {
    "module": ROOT / "plugins" / "modules",
    "lookup": ROOT / "plugins" / "lookup",
    "inventory": ROOT / "plugins" / "inventory",
}
PLURALS = {"inventory": "Inventory plugins"}
MARKUP = [
    (re.compile(r"[OV]\(([^)]*)\)"), r"`\1`"),
    (re.compile(r"C\(([^)]*)\)"), r"`\1`"),
    (re.compile(r"RV\(([^)]*)\)"), r"`\1`"),
    (re.compile(r"E\(([^)]*)\)"), r"`\1`"),
    (re.compile(r"M\(([^)]*)\)"), r"`\1`"),
    (re.compile(r"I\(([^)]*)\)"), r"*\1*"),
]


def text(value) -> str:
    lines = value if isinstance(value, list) else [value or ""]
    out = " ".join(str(line) for line in lines)
    out = out.replace("RV(", "C(")
    for pattern, repl in MARKUP:
        out = pattern.sub(repl, out)
    return out.replace("|", "\\|")


def options_table(options: dict, prefix: str = "") -> list:
    rows = []
    for name in sorted(options):
        spec = options[name]
        kind = spec.get("type", "str") + (f" / {spec['elements']}" if spec.get("elements") else "")
        extra = []
        if spec.get("required"):
            extra.append("**required**")
        if spec.get("default") is not None:
            extra.append(f"default: `{spec['default']}`")
        if spec.get("choices"):
            extra.append("choices: " + ", ".join(f"`{c}`" for c in spec["choices"]))
        if spec.get("aliases"):
            extra.append("aliases: " + ", ".join(spec["aliases"]))
        for env in spec.get("env") or []:
            extra.append(f"env: `{env['name']}`")
        for var in spec.get("vars") or []:
            extra.append(f"var: `{var['name']}`")
        rows.append(f"| `{prefix}{name}` | {kind} | {text(spec.get('description'))} {'; '.join(extra)} |")
        rows.extend(options_table(spec.get("suboptions") or {}, f"{prefix}{name}."))
    return rows


def returns_table(returns: dict, prefix: str = "") -> list:
    rows = []
    for name in sorted(returns or {}):
        spec = returns[name]
        rows.append(
            f"| `{prefix}{name}` | {spec.get('type', '')} | {spec.get('returned', '')} "
            f"| {text(spec.get('description'))} |"
        )
        rows.extend(returns_table(spec.get("contains") or {}, f"{prefix}{name}."))
    return rows


def render(fqcn: str, kind: str, data: dict) -> str:
    doc, examples, returns = data["doc"], data.get("examples") or "", data.get("return") or {}
    out = [f"# {fqcn} ({kind})", "", text(doc.get("short_description")), ""]
    out += [f"- {text(line)}" for line in (doc.get("description") or [])] + [""]
    out += ["## Options", "", "| option | type | description |", "|---|---|---|"]
    out += options_table(doc.get("options") or {}) + [""]
    if doc.get("attributes"):
        out += ["## Attributes", "", "| attribute | support | description |", "|---|---|---|"]
        for name, spec in sorted(doc["attributes"].items()):
            out.append(f"| {name} | {spec.get('support')} | {text(spec.get('description'))} |")
        out.append("")
    if doc.get("notes"):
        out += ["## Notes", ""] + [f"- {text(n)}" for n in doc["notes"]] + [""]
    if doc.get("requirements"):
        out += ["## Requirements", ""] + [f"- {text(n)}" for n in doc["requirements"]] + [""]
    out += ["## Examples", "", "```yaml", examples.strip(), "```", ""]
    if returns:
        out += ["## Return values", "", "| key | type | returned | description |", "|---|---|---|---|"]
        out += returns_table(returns) + [""]
    return "\n".join(out)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    index = ["# Plugins of electricimp.impcentral", ""]
    for kind, folder in KINDS.items():
        names = sorted(p.stem for p in folder.glob("*.py") if not p.stem.startswith("_"))
        fqcns = [f"{COLLECTION}.{name}" for name in names]
        answer = subprocess.run(
            [str(ANSIBLE_DOC), "-t", kind, "--json", *fqcns], capture_output=True, text=True, check=True
        )
        docs = json.loads(answer.stdout)
        index += [f"## {PLURALS.get(kind, kind.capitalize() + 's')}", ""]
        for fqcn in fqcns:
            short = fqcn.rsplit(".", 1)[1]
            filename = f"{short}_{kind}.md" if kind != "module" else f"{short}.md"
            (OUT / filename).write_text(render(fqcn, kind, docs[fqcn]))
            index.append(f"- [{fqcn}]({filename}): {text(docs[fqcn]['doc'].get('short_description'))}")
        index.append("")
    (OUT / "README.md").write_text("\n".join(index))
    print(f"wrote {len(index)} lines of index and the plugin pages to {OUT}")


if __name__ == "__main__":
    main()
