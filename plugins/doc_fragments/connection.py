# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The impCentral connection options, defined once for every module, lookup and action."""

from __future__ import annotations


class ModuleDocFragment:
    # Modules: the options, with the environment variables named in each description.
    DOCUMENTATION = r"""
options:
  endpoint:
    description:
      - Base URL of the impCentral API, including C(/v5).
      - Falls back to the E(IMPT_ENDPOINT) environment variable, then to the endpoint stored in O(auth_file),
        then to V(https://api.electricimp.com/v5).
      - Point it at the local emulator (for example V(http://127.0.0.1:8765/v5)) for tests and demos.
    type: str
  login_key:
    description:
      - An impCentral login key, exchanged for an access token.
      - Falls back to the E(IMPT_LOGINKEY) environment variable, but only when none of O(login_key), O(username)
        and O(password) is given on the task (or through C(module_defaults)); credentials given there always win
        over the environment, and are never mixed with it.
      - Preferred over O(username)/O(password) when both are given.
      - A failed login names where the credentials came from (an option, an environment variable, an auth file).
    type: str
  username:
    description:
      - Account email or username for a password login.
      - Falls back to the E(IMPT_USER) environment variable when no credential option is given.
    type: str
    aliases: [user]
  password:
    description:
      - Account password for a password login.
      - Also sent (in C(X-Electricimp-Password)) by M(electricimp.impcentral.login_key) to create, change or delete
        login keys.
      - Falls back to the E(IMPT_PASSWORD) environment variable when no credential option is given.
    type: str
  otp:
    description:
      - One-time password for accounts with two-factor authentication.
      - Only used when the login needs it; without it such an account fails the task with a message asking for it.
    type: str
  auth_file:
    description:
      - Path to an C(impt) auth file (as written by C(impt auth login)).
      - Its access token is reused and refreshed tokens are written back (atomically, mode C(0600)),
        so one C(impt auth login) serves every task of every playbook.
      - When neither O(auth_file), O(login_key) nor O(username) is given, the first existing file of
        C(./.impt.auth), C($IMPT_AUTH_FILE_PATH/.impt.auth) and C(~/.impt.auth) is used, as C(impt) does.
      - Without O(login_key) or O(username), a file that does not exist fails the task, naming the path; with
        them, the file is created to keep the access token.
    type: path
  token_cache:
    description:
      - With O(login_key) or O(username)/O(password), keep the access token in a private cache file
        (mode C(0600) in a C(0700) directory under C($XDG_CACHE_HOME/electricimp.impcentral),
        default C(~/.cache/electricimp.impcentral)) so a play logs in once, not once per task.
      - The file name is derived from the endpoint and the credentials; a different password misses the cache.
      - Tokens never appear in task results or logs.
      - Falls back to the E(IMPT_TOKEN_CACHE) environment variable.
    type: bool
    default: true
  validate_certs:
    description:
      - Verify the server's TLS certificate. Only set to V(false) against a test server.
    type: bool
    default: true
  ca_path:
    description:
      - Path to a CA bundle used to verify the server (private impClouds, TLS-inspecting proxies).
      - Proxies come from the E(HTTPS_PROXY), E(HTTP_PROXY) and E(NO_PROXY) environment variables.
    type: path
  timeout:
    description:
      - Read timeout, seconds to wait for one response once connected (see O(connect_timeout) and O(deadline)).
      - Must be greater than 0.
    type: float
    default: 60
  connect_timeout:
    description:
      - Seconds to wait for the connection to the endpoint to open (a dead host, a dropped SYN).
      - Falls back to the E(IMPCENTRAL_CONNECT_TIMEOUT) environment variable.
      - Must be greater than 0.
    type: float
    default: 10
  deadline:
    description:
      - Seconds one request may take with every retry and wait included (a create with its look-ups too).
        A server that accepts connections but never answers fails the task after this long, with one message
        naming the endpoint and the request.
      - Within the deadline, a write whose answer was lost is retried until it is known to be done, whatever
        O(max_retries) says.
      - Falls back to the E(IMPCENTRAL_DEADLINE) environment variable.
      - Must be greater than 0.
    type: float
    default: 55
  overall_deadline:
    description:
      - Seconds of API time the whole task may spend, every request, retry and wait between retries of it
        added up (O(deadline) still bounds each request). A task whose many requests each answer slowly fails
        when this runs out, with one message naming the request it stopped at.
      - Time between requests is not counted. Ignored by M(electricimp.impcentral.log_tail) and
        M(electricimp.impcentral.release_rollout), whose job is to wait under their own timeouts.
      - Falls back to the E(IMPCENTRAL_OVERALL_DEADLINE) environment variable.
      - Must be greater than 0.
    type: float
    default: 300
  max_retries:
    description:
      - How many times a request is retried after HTTP 429 (rate limit), 502, 503, 504 or a connection error.
      - A create whose answer was lost is sent again only after the entity was looked for and not found,
        so a retry never makes a duplicate. Login keys, which have no natural key, are never created twice.
      - Falls back to the E(IMPCENTRAL_MAX_RETRIES) environment variable.
      - Must be 0 or more; V(0) sends every request once.
    type: int
    default: 5
notes:
  - Credentials are marked C(no_log); set them once with C(module_defaults) for the action group
    C(group/electricimp.impcentral.impcentral).
requirements:
  - requests >= 2.28 (on the host that runs the module, usually the controller with C(connection=local))
"""

    # Lookups and the log_tail action: the same options, readable from environment variables and vars.
    PLUGINS = r"""
options:
  endpoint:
    description:
      - Base URL of the impCentral API, including C(/v5).
      - Defaults to the endpoint stored in O(auth_file), then to V(https://api.electricimp.com/v5).
    type: str
    env:
      - name: IMPT_ENDPOINT
    vars:
      - name: impcentral_endpoint
  login_key:
    description:
      - An impCentral login key, exchanged for an access token.
      - When none of O(login_key), O(username) and O(password) is given, the credentials come from the
        E(IMPT_LOGINKEY) environment variable, else from E(IMPT_USER) and E(IMPT_PASSWORD).
    type: str
    vars:
      - name: impcentral_login_key
  username:
    description:
      - Account email or username for a password login.
      - Falls back to the E(IMPT_USER) environment variable only when no credential option is given.
    type: str
    vars:
      - name: impcentral_username
  password:
    description:
      - Account password for a password login.
      - Falls back to the E(IMPT_PASSWORD) environment variable only when no credential option is given.
    type: str
    vars:
      - name: impcentral_password
  otp:
    description:
      - One-time password for accounts with two-factor authentication.
    type: str
  auth_file:
    description:
      - Path to an C(impt) auth file; its token is reused and refreshed tokens are written back (mode C(0600)).
      - Without credentials, C(./.impt.auth), C($IMPT_AUTH_FILE_PATH/.impt.auth) and C(~/.impt.auth) are tried.
    type: path
    vars:
      - name: impcentral_auth_file
  token_cache:
    description:
      - Keep the access token of a login key or password login in a private cache file (mode C(0600)),
        so that repeated calls do not log in again.
    type: bool
    default: true
    env:
      - name: IMPT_TOKEN_CACHE
    vars:
      - name: impcentral_token_cache
  validate_certs:
    description:
      - Verify the server's TLS certificate.
    type: bool
    default: true
    vars:
      - name: impcentral_validate_certs
  ca_path:
    description:
      - Path to a CA bundle used to verify the server.
    type: path
    vars:
      - name: impcentral_ca_path
  timeout:
    description:
      - Read timeout, seconds to wait for one response once connected.
    type: float
    default: 60
    vars:
      - name: impcentral_timeout
  connect_timeout:
    description:
      - Seconds to wait for the connection to the endpoint to open.
    type: float
    default: 10
    env:
      - name: IMPCENTRAL_CONNECT_TIMEOUT
    vars:
      - name: impcentral_connect_timeout
  deadline:
    description:
      - Seconds one request may take with every retry and wait included.
    type: float
    default: 55
    env:
      - name: IMPCENTRAL_DEADLINE
    vars:
      - name: impcentral_deadline
  overall_deadline:
    description:
      - Seconds of API time one lookup may spend in all its requests, retries and waits between retries.
    type: float
    default: 300
    env:
      - name: IMPCENTRAL_OVERALL_DEADLINE
    vars:
      - name: impcentral_overall_deadline
  max_retries:
    description:
      - How many times a request is retried after HTTP 429, 502, 503, 504 or a connection error.
    type: int
    default: 5
    env:
      - name: IMPCENTRAL_MAX_RETRIES
    vars:
      - name: impcentral_max_retries
"""
