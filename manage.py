#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # A checkout with no production environment at all (neither DEBUG nor SECRET_KEY) is a
    # developer's: its commands (makemigrations, shell, check) run in development mode. Serving
    # keeps production's refusal: wsgi, asgi, Celery and runserver never take this default.
    if "DEBUG" not in os.environ and "SECRET_KEY" not in os.environ and sys.argv[1:2] != ["runserver"]:
        os.environ["DEBUG"] = "1"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
