"""Stage 5: render the plans with Jinja in a sandbox (and the iCalendar files)."""
