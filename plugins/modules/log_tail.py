#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: log_tail
short_description: Wait for a line in the logs of impCentral devices
version_added: 1.0.0
description:
  - Follows the live logs of devices (and of every device of device groups) and returns when a line matches
    O(search_regex), like M(ansible.builtin.wait_for) does for ports and files. This is how a playbook waits for
    "firmware 2.1 ready" after a deployment and a restart.
  - Fails when a line matches O(fail_regex), or when O(wait_timeout) passes before O(search_regex) matched; the
    lines seen so far are returned either way.
  - Without O(search_regex), collects lines until O(lines) lines were seen, O(duration) passed, or O(wait_timeout)
    passed.
  - Runs on the controller (an action plugin). A dropped stream is re-opened and the gap reported in RV(gaps).
  - Any number of devices. Up to five (what one log stream holds) are streamed. More are read from each device's
    history (C(GET /devices/{id}/logs), newest first, only back to the newest line already seen) in rounds paced to
    O(history_rate) requests per second, so other clients of the account keep their share of the rate limit.
    RV(mode), RV(stream_devices) and RV(history_devices) say which devices were read how.
  - impCentral keeps one live log stream per account, so opening one closes any other live stream of the account
    (an C(impt log stream), another play). When another client opens a stream and so closes this task's one, the
    task does not reopen it (that would close the other one in turn, again and again); it reads the history from
    then on, says so in a warning and RV(mode) is V(history). No line is lost or returned twice across the switch.
  - In check mode no stream is opened; see the C(check_mode) attribute.
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
      - An invalid expression fails the task before anything is read.
    type: str
  fail_regex:
    description:
      - Python regular expression; a matching line fails the task at once.
      - An invalid expression fails the task before anything is read.
    type: str
  wait_timeout:
    description:
      - Seconds to wait at most, from the start of the task (one monotonic deadline covering every request).
      - Zero or more.
      - Formerly O(timeout), which now means what it means in every module of the action group, the
        HTTP read timeout. A O(timeout) in C(module_defaults) for the group never changes the wait.
    type: float
    default: 300
  timeout:
    description:
      - Read timeout, seconds to wait for one response once connected, as in every module of the action group;
        must be greater than 0. The log stream reads for at least 45 s between events, whatever this says
        (impCentral sends a keep-alive every 15 s).
      - "Deprecated meaning: given on the task itself (or in C(module_defaults) for this action by name) without
        O(wait_timeout), it is also the wait, as it was formerly, with a deprecation warning. From 2.0.0 it is only
        the read timeout; use O(wait_timeout) for the wait."
    type: float
    default: 60
  lines:
    description:
      - Stop after this many lines (one or more; back-filled lines count).
      - With O(search_regex), the task fails if no line matched by then.
    type: int
  duration:
    description:
      - Stop (successfully, unless O(search_regex) is set and did not match) after this many seconds (zero or more).
    type: float
  since:
    description:
      - First look at historical logs from this moment on, so a line logged before the task started is not missed.
      - Either a number of seconds ago (V(300), V(1.5)) or an ISO 8601 time stamp with any UTC offset
        (V(2026-01-01T10:00:00Z), V(2026-01-01T12:00:00+02:00); without an offset, UTC). It is compared with the
        time stamps of the lines as a point in time, so every offset gives the same lines. Anything else fails the
        task.
      - Back-filled lines are returned oldest first; lines logged in the same millisecond keep the order in which
        they were logged.
      - When the history does not end the wait, the stream is opened and, once every device is subscribed, the
        history is read once more, so a line logged in between is neither lost nor taken twice.
      - After a dropped stream (see RV(gaps)), the history since the last line is read too, so the lines logged
        while the stream was re-opened are returned as well.
    type: str
  history_rate:
    description:
      - Requests per second the task may send when it reads logs from the device history (more than five devices,
        or after another client took the account's log stream).
      - impCentral allows an account 40 requests per second; the default, half of it, leaves the rest to other
        clients. A round over N devices takes at least N / O(history_rate) seconds.
    type: float
    default: 20
attributes:
  check_mode:
    description: Only reads in check mode; the log stream is not opened.
    support: partial
    details:
      - Opening a log stream closes any other live log stream of the account, so in check mode the task resolves
        the devices and reads the historical logs since O(since), and opens no stream.
      - When those lines end the wait (a O(search_regex) or O(fail_regex) match, or O(lines) lines), the result is
        the one the task would have without check mode. Otherwise the task is skipped, with RV(stream_opened)
        false and a message saying that the stream was not opened.
      - A device or device group that does not exist yet (an earlier task of the play would create it), or a group
        without devices, is listed in RV(predicted_missing) instead of failing the task.
  diff_mode:
    description: Nothing changes, so there is no diff.
    support: N/A
    details:
      - This action does not modify impCentral entities.
extends_documentation_fragment:
  - electricimp.impcentral.connection
  - electricimp.impcentral.product_scope
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
    wait_timeout: 120
  register: ready

- name: Show the version
  ansible.builtin.debug:
    msg: "{{ ready.match_groupdict.version }}"

- name: Wait until every device of a production group reports its firmware (read from the device history, paced)
  electricimp.impcentral.log_tail:
    device_groups: [Thermostat production]
    search_regex: 'firmware \d+\.\d+ ready'
    since: "120"
    wait_timeout: 600
    history_rate: 10
  register: fleet

- name: Say how the devices were read
  ansible.builtin.debug:
    msg: "{{ fleet.mode }}: {{ fleet.history_devices | length }} devices by history"
"""

RETURN = r"""
lines:
  description:
    - Every line seen, oldest first (back-filled lines first), as dicts.
    - Back-filled lines of one device are in the order they were logged (the reverse of the API's newest-first
      order), also when several share a time stamp; the lines of several devices are merged by time stamp.
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
  description:
    - Times the stream dropped and was re-opened. With O(since), the lines logged meanwhile are read from the
      history; without it they may be missing.
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
stream_opened:
  description: Whether a log stream was opened (never in check mode, nor when the back-filled lines ended the wait).
  returned: always
  type: bool
mode:
  description:
    - How the logs were read. V(stream) (a live log stream), V(history) (the device history, in paced rounds) or
      V(mixed).
  returned: always
  type: str
stream_devices:
  description: Ids of the devices whose logs came from the live stream.
  returned: always
  type: list
  elements: str
history_devices:
  description: Ids of the devices whose logs were read from the device history.
  returned: always
  type: list
  elements: str
history_requests:
  description: Requests sent to read device history while following (rounds of RV(history_devices)).
  returned: always
  type: int
predicted_missing:
  description:
    - Check mode only. Devices and device groups that were not found (an earlier task would create them), and,
      when no device was left to follow, the groups without devices. Their logs were not read.
  returned: in check mode, when a device or group is not found or no device is left to follow
  type: list
  elements: dict
  contains:
    kind:
      description: V(device) or V(device_group).
      type: str
    name:
      description: The identifier as given.
      type: str
"""
