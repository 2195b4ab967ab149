"""The two log formats (``LOG_FORMAT``): lines of text, or one JSON object per line.

Shared by the settings' ``LOGGING``, Celery's handlers (``workbench/celery.py``) and
gunicorn (``gunicorn.conf.py``), which reads it without loading Django.
"""

from __future__ import annotations

from typing import Any

FORMATS = ("plain", "json")

FORMATTERS: dict[str, dict[str, Any]] = {
    "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    "json": {
        "()": "pythonjsonlogger.json.JsonFormatter",
        "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
        "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
    },
}


def json_options() -> dict[str, Any]:
    """The JSON formatter's arguments, for building one in code."""
    return {key: value for key, value in FORMATTERS["json"].items() if key != "()"}
