# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ownership rule for files the tools trust (auth, project, test files and the token cache), as ssh has it.

A file another user owns, or one group or others may write, can be swapped for one that sends our credentials
or source code to a server of theirs (a ``.impt.auth`` dropped in a shared 1777 directory). Such a file is
refused with one line naming it and why; running as root, root-owned files count as the user's own.
Private to this collection: names here may change in any release.
"""

from __future__ import annotations

import os
import stat as stat_module
from typing import Optional

from ansible_collections.electricimp.impcentral.plugins.module_utils.common.errors import ImpCentralClientError


class UntrustedFileError(ImpCentralClientError):
    """A file (or the token cache's directory) the tools refuse to trust."""

    def __init__(self, path: str, reason: str, fix: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__("Refusing %s: %s (%s)." % (path, reason, fix))


def current_uid() -> Optional[int]:
    """The effective user id; None where the platform has none (no ownership to check)."""
    if not hasattr(os, "geteuid"):
        return None
    return os.geteuid()


def untrusted_reason(path: str, *, uid: Optional[int] = None) -> Optional[tuple]:
    """(why, how to fix) when ``path`` must not be trusted; None when it may be, or does not exist."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    me = current_uid() if uid is None else uid
    if me is not None and info.st_uid != me:
        return "it is owned by another user (uid %d)" % info.st_uid, "remove it, or copy it to a file of your own"
    if info.st_mode & (stat_module.S_IWGRP | stat_module.S_IWOTH):
        return "group or others can write it", "chmod go-w %s" % path
    return None


def check_trusted(path: str, *, uid: Optional[int] = None) -> None:
    """Raise ``UntrustedFileError`` for a file (or directory) that fails the ownership rule."""
    problem = untrusted_reason(str(path), uid=uid)
    if problem:
        raise UntrustedFileError(str(path), *problem)
