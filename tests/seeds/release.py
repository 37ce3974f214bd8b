"""Emulator seeds for staged rollouts: a production group "prod" whose devices run the previous build (2.0)
and a canary production group that already runs the build to promote (2.1), both in product "Fleet".

The builds log what tests look for: the previous build a harmless ``ERROR`` line and ``firmware 2.0 ready``,
the new one ``firmware 2.1 ready`` (or, for BROKEN, a runtime error; for SILENT, nothing). A search regex
without the version (``firmware .* ready``) matches both builds' lines: only the evidence window tells them
apart."""

from __future__ import annotations

OLD = 'server.error("ERROR: sensor calibration drift (2.0)");\nserver.log("firmware 2.0 ready");\n'
NEW = 'server.log("firmware 2.1 ready");\n'
BROKEN = "server.error(\"ERROR: the index 'calibration' does not exist (2.1)\");\n"
SILENT = 'local build = "2.1";\n'
SEARCH = r"firmware .* ready"
STALE = [  # what the previous build logged, added to a device's history through the admin API
    {"type": "server.error", "msg": "ERROR: sensor calibration drift (2.0)"},
    {"type": "server.log", "msg": "firmware 2.0 ready"},
]


def release(devices: int = 6, new: str = NEW, old: str = OLD) -> dict:
    """The seed document: ``devices`` online devices ``unit-NN`` (as many digits as the largest needs) in "prod"."""
    width = max(2, len(str(devices - 1)))
    from impcentral_emulator.seeds import ACCOUNTS  # noqa: PLC0415 - tests import the emulator only here

    return {
        "accounts": ACCOUNTS,
        "products": [{"name": "Fleet", "owner": "demo"}],
        "devicegroups": [
            {"name": "prod", "product": "Fleet", "type": "production"},
            {"name": "canary", "product": "Fleet", "type": "production"},
        ],
        "deployments": [
            {"devicegroup": "Fleet/prod", "device_code": old, "flagged": True},
            {"devicegroup": "Fleet/canary", "device_code": new},
        ],
        "devices": [
            {"owner": "demo", "name": f"unit-{i:0{width}d}", "online": True, "devicegroup": "Fleet/prod"}
            for i in range(devices)
        ],
    }
