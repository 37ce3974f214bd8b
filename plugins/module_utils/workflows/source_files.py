# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading Squirrel source files safely, and naming compile errors by file, row and column.

A path given as a source file may be ``/dev/zero`` (grows without end), a FIFO (blocks for ever) or a
directory: only a regular file up to ``MAX_CODE_BYTES`` is read, and that is checked on the opened
descriptor, so the file cannot be swapped between the check and the read.
Private to this collection: names here may change in any release.
"""

from __future__ import annotations

import os
import stat

from ansible_collections.electricimp.impcentral.plugins.module_utils.common.constants import MAX_CODE_BYTES


class SourceFileError(ValueError):
    """A source file that is not read: not a regular file, too large, unreadable or not UTF-8."""


def read_source_file(path: str, limit: int = MAX_CODE_BYTES) -> str:
    """The text of a regular file of at most ``limit`` bytes; ``SourceFileError`` otherwise."""
    try:
        # O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise SourceFileError("%s: %s" % (path, exc.strerror or exc)) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise SourceFileError("%s is not a regular file" % path)
    with os.fdopen(fd, "rb") as handle:
        if info.st_size > limit:
            raise SourceFileError(
                "%s is %d bytes; impCentral accepts at most %d bytes of code" % (path, info.st_size, limit)
            )
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise SourceFileError("%s grew past %d bytes while being read" % (path, limit))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise SourceFileError("%s is not UTF-8 text" % path) from None


def compile_error_lines(meta: object, files: dict | None = None) -> list:
    """``file:row:column: text`` for each item of a CX005 error's ``meta``; ``files`` maps the API's
    ``device_code``/``agent_code`` to the file names the user gave."""
    items = meta if isinstance(meta, list) else [meta] if isinstance(meta, dict) else []
    lines = []
    for item in items:
        if not isinstance(item, dict):
            continue
        where = (files or {}).get(item.get("file")) or item.get("file") or "code"
        kind = "%s: " % item["type"] if item.get("type") else ""
        lines.append(
            "%s:%s:%s: %s%s" % (where, item.get("row", "?"), item.get("column", "?"), kind, item.get("text", ""))
        )
    return lines
