"""Fixtures for the plugin unit tests; the playback helpers live in imp_playback.py."""

from imp_playback import _no_real_exit, auth_file, no_warnings  # noqa: F401  (fixtures)
