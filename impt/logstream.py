"""`--log` of restart/run commands: follow the devices' logs until Ctrl-C (the `log` group reuses it)."""

from __future__ import annotations

import json

from impt.context import Context
from impt.output import SUCCEEDS


def follow_logs(ctx: Context, device_ids: list[str]) -> None:
    """Print `[<device>] <ts> [<type>] <msg>` lines until the user presses Ctrl-C or the stream closes."""
    out = ctx.out
    shown = ", ".join(device_ids[:5]) + (", ..." if len(device_ids) > 5 else "")
    out.info(f"Log stream for Device(s) {shown} is opened.")
    out.info(SUCCEEDS)
    out.info("")
    out.info("Press <Ctrl-C> to exit.")
    try:
        for event in ctx.client.logs.follow(device_ids[:5]):
            kind = type(event).__name__
            if kind == "LogLine":
                if out.is_json:
                    record = {"device_id": event.device_id, "ts": event.ts, "type": event.type, "msg": event.msg}
                    out.stdout.write(json.dumps(record, indent=2) + "\n")
                else:
                    out.stdout.write(f"[{event.device_id}] {event.ts} [{event.type}] {event.msg}\n")
                out.stdout.flush()
            elif kind == "Gap":
                out.info("The log stream is lost. Trying to reconnect...")
            elif kind == "StateChange" and event.state == "closed":
                out.info("The log stream is closed.")
                return
    except KeyboardInterrupt:
        return
