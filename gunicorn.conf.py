"""gunicorn's settings for the workbench, read from the working directory (the project
root) by ``gunicorn`` or given with ``-c gunicorn.conf.py``. Command-line options and
``GUNICORN_CMD_ARGS`` override them; ``WEB_CONCURRENCY`` sets the number of workers.

Each worker process runs ``threads`` threads, each with its own database connection
(see the connection budget in docs/production.md).
"""

import os

from workbench import logs

wsgi_app = "workbench.wsgi:application"
bind = [os.environ.get("WEB_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
# A request taking longer is killed and logged; the slowest pages (exports) stream.
timeout = 60
graceful_timeout = 30
# Workers are recycled now and then, so a slow leak cannot grow for ever.
max_requests = 2000
max_requests_jitter = 200
# gunicorn's control socket (``gunicornc``) would be one file per user in ~/.gunicorn,
# shared by every gunicorn of that user: off; systemd or the Procfile runner manages us.
control_socket_disable = True
accesslog = "-"
errorlog = "-"

if os.environ.get("LOG_FORMAT", "plain").strip().lower() == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": logs.FORMATTERS["json"]},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stdout",
            },
            "error_console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            },
        },
        "root": {"level": "INFO", "handlers": ["error_console"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
    }
