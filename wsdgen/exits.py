"""The exit codes of every command, in one place.

0: done; 1: the site has problems (content, templates, writing); 2: a usage or
config.yaml problem; 130 and 143: stopped by Ctrl+C or SIGTERM (the shell's 128 + the
signal's number).
"""

from __future__ import annotations

import signal

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
EXIT_SIGINT, EXIT_SIGTERM = 128 + signal.SIGINT, 128 + signal.SIGTERM
