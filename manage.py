#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")
    if sys.argv[1:2] == ["extract"]:
        # The pipeline on a file needs the settings, not the apps: no ``django.setup()``
        # (every app, the admin and what it imports), most of the start-up it would
        # otherwise add to spaCy's own (bench/pipeline.py, whole process).
        from claims.management.commands.extract import run_without_apps

        run_without_apps(sys.argv)
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
