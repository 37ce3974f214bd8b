#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: release_rollout
short_description: Move the devices of a production group to a canary group in verified waves
version_added: 1.0.0
description:
  - The staged rollout of the P(electricimp.impcentral.release_promotion#role) role. The canary group already runs the
    new build; the target group still runs the previous one.
  - Each wave moves its devices from O(device_group) to O(canary_device_group), restarts them (O(restart)), verifies
    each device (a line matching O(search_regex) and none matching O(fail_regex) within O(verify_timeout) seconds,
    and the device online), then waits O(pause) seconds before the next wave.
  - Each device is judged only on its evidence window, the lines it logged after its latest
    C(Downloading new code) status line (impCentral's record of the device loading a build it did not run before)
    logged after the canary group's current deployment was created, and, for a device this run moves, after the
    last answer before its move (by the server's clock). Lines an older build logged are never evidence. A device
    without such a line has not been seen running the build; it is unverified, never passed or failed on older lines.
  - The abort criteria are named as AWS IoT Jobs names them. Once at least O(min_number_of_executed_things) devices
    were verified and more than O(failure_threshold_percent) percent of them failed (an unverified or offline device
    counts as failed), the rollout aborts; with O(rollback) every wave is rolled back (the devices go back to
    O(device_group) and restart) and the task fails with the evidence per device.
  - No local state is kept. A re-run (another controller, days later) continues from what impCentral shows. The
    devices already in O(canary_device_group) count as moved, get the O(restart) again (an earlier run may have
    stopped between a move and its restart), are verified again on their own evidence windows, and the remaining
    waves follow.
  - Cancelling is safe. On SIGINT or SIGTERM (which C(ansible-playbook) passes to its workers), on the task's
    C(timeout), or when C(ansible-playbook) is killed (the worker notices its parent is gone within 0.1 s), the
    request on the wire finishes, and no other request starts. What was moved stays moved, and a re-run resumes.
  - Every option is checked before the first request. Regular expressions are compiled, numbers must be finite and
    in range, and waves must grow. The groups, the canary group's build and the abort criteria are checked
    against the fleet before the first write. Every message names the option.
  - The progress shows on the controller as it happens (the plan, each wave's moves with device names beside ids,
    the restarts, verdict counts, failed devices and each decision).
  - Logs are read from the device history, paced to O(history_rate) requests per second, so the rollout never takes
    the account's live log stream from another client.
  - Runs on the controller (an action plugin).
author:
  - Electric Imp collection maintainers (@electricimp)
options:
  device_group:
    description:
      - The target (production) device group whose devices move in waves (id, name or C({account}{product}{group})).
    type: str
    required: true
  canary_device_group:
    description: The canary group, which already runs the new build (id, name or C({account}{product}{group})).
    type: str
    required: true
  waves:
    description:
      - Wave sizes, each the cumulative number of devices moved by the end of that wave. A count (V(1)) or a
        percentage of all the devices (V(10%)), rounded up.
      - Counts must grow from one wave to the next, and so must percentages; nothing may follow V(100%). A wave that
        adds no device once the fleet is known (V(10%) of 5 devices after V(1)) is left out.
      - Devices left after the last wave form one more wave, so V([1]) moves one canary and then everyone.
    type: list
    elements: raw
    default: [1]
  search_regex:
    description: Python regular expression each device of a wave must log in its evidence window.
    type: str
  fail_regex:
    description: Python regular expression that fails a device logging it in its evidence window.
    type: str
  verify_timeout:
    description: Seconds each wave waits for its devices to log O(search_regex); above 0, at most 86400.
    type: float
    default: 60
  pause:
    description: Seconds to wait between two waves; 0 to 86400.
    type: float
    default: 0
  restart:
    description: How the devices of a wave restart after the move.
    type: str
    choices: [conditional, immediate, none]
    default: conditional
  rollback:
    description: On abort, move every moved device back to O(device_group) and restart it.
    type: bool
    default: true
  failure_threshold_percent:
    description: Abort when more than this percentage of the verified devices failed. V(0) aborts on any failure.
    type: float
    default: 0
  min_number_of_executed_things:
    description: Devices to verify before the threshold applies.
    type: int
    default: 1
  history_rate:
    description:
      - Requests per second the verification may use to read device logs (half the account's 40 by default); above 0,
        at most 40.
    type: float
    default: 20
attributes:
  check_mode:
    description: Only the plan is made (devices are listed); no device moves.
    support: full
  diff_mode:
    description: No diff.
    support: none
extends_documentation_fragment:
  - electricimp.impcentral.connection
  - electricimp.impcentral.product_scope
  - electricimp.impcentral.attributes.actiongroup
seealso:
  - module: electricimp.impcentral.log_tail
"""

EXAMPLES = r"""
- name: Roll the new build out in three waves (one canary, then half the group, then the rest)
  electricimp.impcentral.release_rollout:
    device_group: Thermostat production
    canary_device_group: Thermostat canary
    waves: [1, "50%", "100%"]
    search_regex: 'firmware 2\.1 ready'
    fail_regex: 'ERROR'
    verify_timeout: 120
    pause: 5  # seconds between waves; a fleet would rather wait minutes or hours (at most 86400)
    failure_threshold_percent: 10
    min_number_of_executed_things: 3
"""

RETURN = r"""
plan:
  description: One line per wave.
  returned: always
  type: list
  elements: str
waves:
  description: Each wave run, with its devices, the devices verified again on a re-run, and the decision.
  returned: always
  type: list
  elements: dict
moved:
  description: Ids of every device in the canary group at the end (before a rollback).
  returned: always
  type: list
  elements: str
verdicts:
  description:
    - Per device, the verdict and its evidence. C(state) is V(passed), V(failed) (a line matched O(fail_regex)),
      V(unverified) (nothing decided it before the timeout, or the device was never seen running the build) or
      V(offline). C(line) is the deciding line (C(ts), C(type), C(msg)), C(window_start) the time stamp of the boot
      line the evidence window starts after.
  returned: always
  type: list
  elements: dict
  sample:
    - device_id: 6157c32e9d348981
      name: unit-03
      ok: true
      state: passed
      evidence: "logged: firmware 2.1 ready"
      window_start: "2026-11-23T10:00:03.168Z"
      line: {ts: "2026-11-23T10:00:03.321Z", type: server.log, msg: firmware 2.1 ready}
build:
  description: The canary group's current deployment being promoted (C(id), C(sha), C(created_at)).
  returned: when the groups were found
  type: dict
cancelled:
  description: The run was stopped by a signal, the task's timeout or the controller going away; a re-run resumes.
  returned: when stopped
  type: bool
aborted:
  description: Whether the abort criteria stopped the rollout.
  returned: always
  type: bool
rolled_back:
  description: Whether every wave was rolled back.
  returned: always
  type: bool
abort_reason:
  description: Why the rollout aborted.
  returned: when aborted
  type: str
evidence:
  description: One line per failed device.
  returned: when aborted
  type: list
  elements: str
"""
