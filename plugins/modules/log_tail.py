#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# MIT License (see LICENSE or https://opensource.org/licenses/MIT).
# MIT is compatible with the GNU General Public License version 3 that ansible-core is released under.

from __future__ import annotations

DOCUMENTATION = r"""
module: log_tail
short_description: Wait for a line in the logs of impCentral devices
version_added: 1.0.0
description:
  - Follows the live logs of devices (and of every device of device groups) and returns when a line matches
    O(search_regex), like M(ansible.builtin.wait_for) does for ports and files. This is how a playbook waits for
    "firmware 2.1 ready" after a deployment and a restart.
  - Fails when a line matches O(fail_regex), or when O(timeout) passes before O(search_regex) matched; the lines
    seen so far are returned either way.
  - Without O(search_regex), collects lines until O(lines) lines were seen, O(duration) passed, or O(timeout) passed.
  - Runs on the controller (an action plugin). A dropped stream is re-opened and the gap reported in RV(gaps).
  - One log stream serves at most five devices.
author:
  - Electric Imp collection maintainers (@electricimp)
options:
  devices:
    description:
      - Devices (id, MAC address, agent id or name) to follow.
    type: list
    elements: str
    default: []
  device_groups:
    description:
      - Device groups whose devices to follow (resolved once, when the task starts).
    type: list
    elements: str
    default: []
  search_regex:
    description:
      - Python regular expression searched in each line's message. The task succeeds at the first match.
    type: str
  fail_regex:
    description:
      - Python regular expression; a matching line fails the task at once.
    type: str
  timeout:
    description:
      - Seconds to wait at most, from the start of the task (one monotonic deadline covering every request).
    type: float
    default: 300
  lines:
    description:
      - Stop after this many lines.
    type: int
  duration:
    description:
      - Stop (successfully, unless O(search_regex) is set and did not match) after this many seconds.
    type: float
  since:
    description:
      - First look at historical logs from this moment on, an ISO-8601 time (V(2026-01-01T10:00:00Z)) or a number
        of seconds ago (V(300)), so a line logged before the task started is not missed.
    type: str
extends_documentation_fragment:
  - electricimp.impcentral.connection
  - electricimp.impcentral.attributes.info_module
  - electricimp.impcentral.attributes.actiongroup
seealso:
  - module: ansible.builtin.wait_for
"""

EXAMPLES = r"""
- name: Wait until the bench device reports the new firmware
  electricimp.impcentral.log_tail:
    devices: [bench-1]
    search_regex: 'firmware (?P<version>\d+\.\d+) ready'
    fail_regex: 'ERROR'
    since: "60"
    timeout: 120
  register: ready

- name: Show the version
  ansible.builtin.debug:
    msg: "{{ ready.match_groupdict.version }}"
"""

RETURN = r"""
lines:
  description:
    - Every line seen, oldest first (back-filled lines first), as dicts.
  returned: always
  type: list
  elements: dict
  contains:
    device_id:
      description: Device id.
      type: str
    ts:
      description: Time stamp of the line (ISO-8601).
      type: str
    log_type:
      description: V(development) or V(production).
      type: str
    type:
      description: Log type, for example C(server.log), C(agent.error) or C(status).
      type: str
    msg:
      description: The message.
      type: str
matched:
  description: Whether O(search_regex) matched.
  returned: always
  type: bool
match_groups:
  description: The groups of the O(search_regex) match.
  returned: always
  type: list
  elements: str
match_groupdict:
  description: The named groups of the O(search_regex) match.
  returned: always
  type: dict
gaps:
  description: Times the stream dropped and was re-opened; lines logged meanwhile may be missing.
  returned: always
  type: list
  elements: dict
  contains:
    reason:
      description: Why the stream ended.
      type: str
    since:
      description: Time stamp of the last line before the gap.
      type: str
devices:
  description: Ids of the devices followed.
  returned: always
  type: list
  elements: str
elapsed:
  description: Seconds the task took.
  returned: always
  type: float
"""
