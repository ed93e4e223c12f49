"""Fixtures shared by the whole suite."""

import os
import signal
import threading
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.utils import translation

# Playwright's sync API runs an event loop in the test thread; the ORM is still used synchronously.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE_FIXTURES = [ROOT / "fixtures" / "01_catalogue.json", ROOT / "fixtures" / "02_about.json"]
PLACES_FIXTURE = ROOT / "fixtures" / "03_places.json"


@pytest.fixture
def sigterm_once_listening():
    """Return a function that makes this process receive SIGTERM as soon as a handler other than
    the present one is installed (a worker's --forever loop has started), and returns the present
    one, for the test to check it is put back."""

    def arm():
        before = signal.getsignal(signal.SIGTERM)

        def terminate_once_listening():
            for _ in range(500):
                if signal.getsignal(signal.SIGTERM) is not before:
                    os.kill(os.getpid(), signal.SIGTERM)
                    return
                threading.Event().wait(0.01)

        threading.Thread(target=terminate_once_listening, daemon=True).start()
        return before

    return arm


def pytest_collection_modifyitems(items):
    """Run the minute-long load tests first, so that under pytest-xdist one worker runs them
    while the others run everything else, instead of them starting last."""
    items.sort(key=lambda item: item.get_closest_marker("load") is None)


@pytest.fixture(autouse=True)
def english():
    """Start every test in English: a request in French must not leak into the next test."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def empty_cache():
    """Start every test with empty caches (rate-limit counters live there, and pages)."""
    for alias in caches.settings:
        caches[alias].clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Create the test database, and note the staff roles its migrations made, before any
    transactional test can flush them (tests/applications/test_roles.py reads them)."""
    from django.contrib.auth.models import Group

    with django_db_blocker.unblock():
        groups = Group.objects.prefetch_related("permissions__content_type")
        return {
            group.name: {
                f"{permission.content_type.app_label}.{permission.codename}"
                for permission in group.permissions.all()
            }
            for group in groups
        }


@pytest.fixture(scope="session")
def migrated_groups(django_db_setup) -> dict[str, set[str]]:
    """Each group the migrations created, with its permissions as "app_label.codename"."""
    return django_db_setup


@pytest.fixture
def catalogue(db):
    """Load CSC's occupation catalogue as the run command does."""
    call_command("loaddata", *CATALOGUE_FIXTURES, verbosity=0)


@pytest.fixture
def demo_postings(catalogue):
    """Load the places and the demo postings as the run command does."""
    call_command("loaddata", PLACES_FIXTURE, verbosity=0)
    call_command("load_demo_postings", verbosity=0)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium: Playwright cannot download its own browser on these machines.
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM", "/usr/bin/chromium"),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }
