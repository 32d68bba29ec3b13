"""Test-only start-up hook: a child process of a test run with a moved clock moves its own.

Python imports ``sitecustomize`` at start-up from the path; this folder is on PYTHONPATH only
in such a run (moved_clock.share_with_children). It shadows any system sitecustomize (on
Debian, an optional crash-report hook), which a test child does without.
"""

import os

import moved_clock  # this folder is on PYTHONPATH

if os.environ.get(moved_clock.ENV):
    moved_clock.move(os.environ[moved_clock.ENV])
