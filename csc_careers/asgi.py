"""ASGI entry point for CSC Careers."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csc_careers.settings")

application = get_asgi_application()
