"""Write an emulator seed file with a fleet: products, Device Groups of several types, N devices.

Usage: python tests/seeds/fleet.py [--devices 10000] [--products 10] OUT.json

The fleet is the same for the same arguments (no randomness), so tests can predict every group:
device ``i`` (from 0) is named ``fleet-<i:05d>``, has imp type ``IMP_TYPES[i % 4]``, is offline when
``i % 10 == 9``, is unassigned when ``i % 50 == 49``, and otherwise sits in Device Group
``(i // GROUP_SPAN) % (products * groups_per_product)`` (groups in product order, types cycling
through ``GROUP_TYPES``). Written as JSON because the emulator reads it much faster than YAML.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

IMP_TYPES = ("imp001", "imp004m", "imp005", "imp006")
GROUP_TYPES = ("development", "pre-production", "production")
GROUPS_PER_PRODUCT = 3
GROUP_SPAN = 7  # consecutive devices per group before moving on, so groups interleave


def fleet(devices: int = 10_000, products: int = 10, owner: str = "demo") -> dict:
    """The seed document (accounts of the demo seed plus the fleet)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from impcentral_emulator.seeds import ACCOUNTS  # noqa: PLC0415 - only the generator needs the emulator

    product_names = [f"Fleet-{p:02d}" for p in range(products)]
    groups = [
        {"name": f"{GROUP_TYPES[g]}-{g}", "product": name, "type": GROUP_TYPES[g]}
        for name in product_names
        for g in range(GROUPS_PER_PRODUCT)
    ]
    out = []
    for i in range(devices):
        device = {
            "owner": owner,
            "name": f"fleet-{i:05d}",
            "imp_type": IMP_TYPES[i % len(IMP_TYPES)],
            "online": i % 10 != 9,
        }
        if i % 50 != 49:
            group = groups[(i // GROUP_SPAN) % len(groups)]
            device["devicegroup"] = f"{group['product']}/{group['name']}"
        out.append(device)
    return {
        "accounts": ACCOUNTS,
        "products": [{"name": name, "owner": owner} for name in product_names],
        "devicegroups": groups,
        "devices": out,
    }


def write(path: Path, document: dict) -> None:
    """Write atomically: a reader never sees half a seed."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".seed-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump(document, stream)
    os.replace(temp, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--products", type=int, default=10)
    args = parser.parse_args(argv)
    write(args.out, fleet(args.devices, args.products))
    print(f"{args.out}: {args.devices} devices in {args.products} products")
    return 0


if __name__ == "__main__":
    sys.exit(main())
