#!/usr/bin/env python
"""Django's command-line utility for CSC Careers.

With no DATABASE_URL it starts (or joins) the checkout's own PostgreSQL server first, so every
command works in any terminal with nothing set; see csc_careers/local_postgres.py.
"""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csc_careers.settings")
    if not os.environ.get("DATABASE_URL"):
        from csc_careers import local_postgres

        try:
            os.environ["DATABASE_URL"] = local_postgres.attach()
        except local_postgres.LocalPostgresError as error:
            sys.exit(f"error: {error}")

    from django.core.management import execute_from_command_line
    from django.db import OperationalError, connection

    try:
        execute_from_command_line(sys.argv)
    except OperationalError as error:
        if connection.connection is not None:
            raise  # connected: a real error of the command, keep its traceback
        from csc_careers.settings import describe_database

        reason = " ".join(str(error).split())
        sys.exit(f"error: cannot connect to the database {describe_database()}: {reason}")


if __name__ == "__main__":
    main()
