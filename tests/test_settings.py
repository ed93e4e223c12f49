"""The settings module reads the environment and refuses unsafe production settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_settings(**environ):
    """Import the settings in a fresh interpreter with only the given variables set."""
    env = {"PATH": os.environ["PATH"], **environ}
    code = (
        "import csc_careers.settings as s; "
        "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.ALLOWED_HOSTS, "
        "getattr(s, 'SESSION_COOKIE_SECURE', False), s.TIME_ZONE)"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )


LOCAL_URL = "postgres://postgres@%2Ftmp%2Fsocket/careers"


def test_local_defaults_are_debug_on_postgresql_in_toronto():
    result = load_settings(DATABASE_URL=LOCAL_URL)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["True", "django.db.backends.postgresql"]
    assert "America/Toronto" in result.stdout


def test_without_database_url_the_settings_say_how_to_get_one():
    result = load_settings()
    assert result.returncode != 0
    assert "DATABASE_URL is not set" in result.stderr


def test_another_database_engine_is_refused():
    result = load_settings(DATABASE_URL="sqlite:///db.sqlite3")
    assert result.returncode != 0
    assert "PostgreSQL is the only database" in result.stderr


def test_database_url_selects_postgresql():
    result = load_settings(DATABASE_URL="postgres://u:p@db.example:5432/careers")
    assert "django.db.backends.postgresql" in result.stdout


def test_production_without_secret_key_refuses_to_start():
    result = load_settings(
        DEBUG="false", ALLOWED_HOSTS="careers.example.ca", DATABASE_URL=LOCAL_URL
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 60,
    "ALLOWED_HOSTS": "careers.example.ca",
    "SITE_URL": "https://careers.example.ca",
    "DATABASE_URL": LOCAL_URL,
}


def test_production_switches_on_hardening():
    result = load_settings(**PRODUCTION)
    assert result.returncode == 0, result.stderr
    debug, _engine, hosts, secure_cookie, _zone = result.stdout.split()
    assert (debug, hosts, secure_cookie) == ("False", "['careers.example.ca']", "True")


@pytest.mark.parametrize(
    "site_url", [None, "http://127.0.0.1:8000", "http://localhost:8000", "https://[::1]/", ""]
)
def test_production_with_e_mail_links_to_this_machine_refuses_to_start(site_url):
    environ = {**PRODUCTION, "SITE_URL": site_url}
    if site_url is None:
        del environ["SITE_URL"]

    result = load_settings(**environ)

    assert result.returncode != 0
    assert "SITE_URL must be the site's public address when DEBUG is off" in result.stderr


def test_production_with_a_plain_http_site_address_refuses_to_start():
    result = load_settings(**{**PRODUCTION, "SITE_URL": "http://careers.example.ca"})

    assert result.returncode != 0
    assert "SITE_URL must be an https:// address when DEBUG is off" in result.stderr


@pytest.mark.parametrize("hosts", ["*", "careers.example.ca,*"])
def test_production_believing_any_host_refuses_to_start(hosts):
    result = load_settings(**{**PRODUCTION, "ALLOWED_HOSTS": hosts})

    assert result.returncode != 0
    assert "ALLOWED_HOSTS must name the site's host names when DEBUG is off, not '*'" in (
        result.stderr
    )
