"""Production serving: deploy checks, security headers, sign-in lock-out, session expiry,
health check, the 503 page during a database outage, and the public page cache."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from csc_careers.page_cache import generation
from tests.factories import JobPostingFactory

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-" + "k7Qz" * 12,
    "ALLOWED_HOSTS": "careers.example.ca",
    # Required with DEBUG off: links in applicants' e-mails.
    "SITE_URL": "https://careers.example.ca",
    # The suite's own server: never the checkout's local one.
    "DATABASE_URL": os.environ["DATABASE_URL"],
}


def run_python(code: str, **environ) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "csc_careers.settings", **environ}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def production_setting(expression: str, **environ):
    code = f"import json, csc_careers.settings as s; print(json.dumps({expression}, default=str))"
    result = run_python(code, **{**PRODUCTION, **environ})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_is_clean_under_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **PRODUCTION},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_serves_compressed_hashed_static_files_and_a_shared_cache():
    storages, cache = production_setting("[s.STORAGES['staticfiles'], s.CACHES['default']]")
    assert storages["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert cache["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"


def test_redis_url_selects_the_redis_cache_with_the_pages_apart():
    caches = production_setting("s.CACHES", REDIS_URL="redis://cache.internal:6379/1")
    assert caches == {
        alias: {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://cache.internal:6379/1",
            "KEY_PREFIX": alias,
        }
        for alias in ("default", "pages")
    }


def test_resume_bucket_selects_private_object_storage_with_signed_urls():
    code = (
        "import django; django.setup(); "
        "from applications.storage import private_storage as p; "
        "p._setup(); w = p._wrapped; "
        "print(type(w).__name__, w.bucket_name, w.default_acl, w.querystring_auth, "
        "w.querystring_expire, w.file_overwrite)"
    )
    result = run_python(
        code,
        **PRODUCTION,
        RESUME_BUCKET="csc-careers-resumes",
        RESUME_BUCKET_ENDPOINT_URL="https://objects.example.ca",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "S3Storage",
        "csc-careers-resumes",
        "private",
        "True",
        "60",
        "False",
    ]


def test_production_sends_e_mail_from_the_database_queue_not_the_request():
    backend = production_setting("s.TASKS['default']['BACKEND']")
    assert backend == "django_tasks_db.backend.DatabaseBackend"


def test_tasks_backend_is_switched_by_the_environment():
    backend = production_setting(
        "s.TASKS['default']['BACKEND']", TASKS_BACKEND="django_tasks.backends.dummy.DummyBackend"
    )
    assert backend == "django_tasks.backends.dummy.DummyBackend"


@pytest.mark.django_db
def test_security_headers(client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    response = client.get(reverse("home"), secure=True)

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script():
    """The policy forbids inline scripts, so no template may contain one (JSON-LD is data)."""
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        for chunk in text.split("<script")[1:]:
            opening = chunk.split(">", 1)[0]
            if "src=" not in opening and "application/ld+json" not in opening:
                offenders.append(str(template.relative_to(ROOT)))
        if " on" in text and any(f" on{event}=" in text for event in ("click", "load", "change")):
            offenders.append(str(template.relative_to(ROOT)))
    assert offenders == []


@pytest.mark.django_db
def test_repeated_failed_sign_ins_lock_the_account_out(client, django_user_model, settings):
    settings.AXES_FAILURE_LIMIT = 3
    django_user_model.objects.create_user(
        "hr.admin", password="correct horse battery staple", is_staff=True
    )
    login = reverse("admin:login")
    for _attempt in range(3):
        response = client.post(login, {"username": "hr.admin", "password": "wrong"})

    response = client.post(
        login, {"username": "hr.admin", "password": "correct horse battery staple"}
    )

    assert response.status_code in (403, 429)
    assert b"Sign-in locked" in response.content
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked.
    django_user_model.objects.create_user("other", password="another good password", is_staff=True)
    response = client.post(login, {"username": "other", "password": "another good password"})
    assert response.status_code == 302


def sign_in(client, username, password, address):
    """Send the admin's sign-in form from the given network address."""
    return client.post(
        reverse("admin:login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def assert_locked_out(response, client):
    assert response.status_code == 429
    assert b"Sign-in locked" in response.content
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_guesses_at_one_user_name_from_many_addresses_lock_it_out(
    client, django_user_model, settings
):
    settings.AXES_USERNAME_FAILURE_LIMIT = 4
    django_user_model.objects.create_user("hr.admin", password="correct horse", is_staff=True)
    django_user_model.objects.create_user("other", password="another good one", is_staff=True)

    # One guess from each address: far below the limit for one user name from one address.
    for number in range(1, 4):
        response = sign_in(client, "hr.admin", "wrong", f"198.51.100.{number}")
        assert response.status_code == 200  # the form again, with its error
    assert_locked_out(sign_in(client, "hr.admin", "wrong", "198.51.100.4"), client)

    # Locked from everywhere, even with the right password from a new address.
    assert_locked_out(sign_in(client, "hr.admin", "correct horse", "203.0.113.9"), client)
    # Other accounts, from the same addresses, are not.
    assert sign_in(client, "other", "another good one", "198.51.100.4").status_code == 302


@pytest.mark.django_db
def test_one_password_tried_on_many_user_names_locks_the_address_out(
    client, django_user_model, settings
):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 4
    django_user_model.objects.create_user("hr.admin", password="correct horse", is_staff=True)

    # One guess per user name, all from one address.
    for name in ("hr.one", "hr.two", "hr.three"):
        assert sign_in(client, name, "Summer2025!", "198.51.100.7").status_code == 200
    assert_locked_out(sign_in(client, "hr.four", "Summer2025!", "198.51.100.7"), client)

    # Every account is locked from that address, and none from another one.
    assert_locked_out(sign_in(client, "hr.admin", "correct horse", "198.51.100.7"), client)
    assert sign_in(client, "hr.admin", "correct horse", "203.0.113.9").status_code == 302


@pytest.mark.django_db
def test_signing_in_does_not_forgive_an_address_its_guesses_at_other_user_names(
    client, django_user_model, settings
):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 4
    django_user_model.objects.create_user("insider", password="my own password", is_staff=True)
    for name in ("hr.one", "hr.two", "hr.three"):
        sign_in(client, name, "Summer2025!", "198.51.100.7")

    assert sign_in(client, "insider", "my own password", "198.51.100.7").status_code == 302
    attacker = Client()

    assert_locked_out(sign_in(attacker, "hr.four", "Summer2025!", "198.51.100.7"), attacker)


@pytest.mark.django_db
def test_idle_staff_sessions_expire(client, django_user_model, settings):
    assert settings.SESSION_COOKIE_AGE <= 60 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    user = django_user_model.objects.create_user("hr.admin", password="pw", is_staff=True)
    client.force_login(user)
    admin_index = reverse("admin:index")
    assert client.get(admin_index).status_code == 200

    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    response = client.get(admin_index)
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


@pytest.mark.django_db
def test_healthz_reports_the_database(client, monkeypatch):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]

    def unreachable(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("csc_careers.views.connection.cursor", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


@pytest.mark.django_db
def test_a_database_outage_gives_a_503_page_not_a_traceback(monkeypatch):
    def unreachable(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("positions.views.PostingListView.get_queryset", unreachable)
    client = Client(raise_request_exception=False)

    response = client.get(reverse("positions:posting-list"))

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert b"temporarily unavailable" in response.content
    assert b"Traceback" not in response.content and b"OperationalError" not in response.content


@pytest.mark.django_db
def test_public_pages_are_cached_and_invalidated_when_hr_changes_a_posting(
    client, django_assert_num_queries
):
    posting = JobPostingFactory(title="Parole officer")
    url = posting.get_absolute_url()
    first = client.get(url)
    assert first["X-Page-Cache"] == "miss"

    with django_assert_num_queries(0):
        second = client.get(url)
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content

    posting.title = "Senior parole officer"
    posting.save()

    third = client.get(url)
    assert third["X-Page-Cache"] == "miss"
    assert b"Senior parole officer" in third.content


@pytest.mark.django_db
def test_nothing_personal_is_cached(client, django_user_model):
    posting = JobPostingFactory()
    listing = reverse("positions:posting-list")
    # The application form carries a CSRF token for this visitor: never cached.
    apply_url = reverse("applications:apply", args=[posting.reference_number])
    client.get(apply_url)
    assert not client.get(apply_url).has_header("X-Page-Cache")
    # Signed-in staff (a session) bypass the cache, in both directions.
    staff = django_user_model.objects.create_user("hr", password="pw", is_staff=True)
    client.force_login(staff)
    assert not client.get(listing).has_header("X-Page-Cache")
    assert Client().get(listing)["X-Page-Cache"] != "hit"


@pytest.mark.django_db
def test_a_flood_of_new_searches_culls_pages_never_a_counter_or_the_generation(
    client, settings, tmp_path
):
    # Production's file caches, each in its own directory here and full at ten entries (a full
    # file cache deletes a random third of its entries on the next write).
    production = production_setting("s.CACHES")
    assert production["pages"]["LOCATION"] != production["default"]["LOCATION"]
    settings.CACHES = {
        alias: {**config, "LOCATION": str(tmp_path / alias), "OPTIONS": {"MAX_ENTRIES": 10}}
        for alias, config in production.items()
    }
    assert settings.PUBLIC_PAGE_CACHE_SECONDS > 0
    JobPostingFactory()
    cache.set("submissions-from-a-visitor", 3, 3600)  # as a rate-limit counter is
    before = generation()

    listing = reverse("positions:posting-list")
    for number in range(40):
        assert client.get(listing, {"q": f"word{number}"}).status_code == 200

    assert cache.get("submissions-from-a-visitor") == 3
    assert generation() == before
    assert len(list((tmp_path / "pages").glob("*.djcache"))) <= 11
    assert len(list((tmp_path / "default").glob("*.djcache"))) == 2  # the counter, the generation


def test_static_files_collect_with_hashed_names(tmp_path):
    """Every URL inside the CSS must exist, or the hashed-static collect fails in production."""
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **PRODUCTION, "STATIC_ROOT": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    assert manifest["css/site.css"].startswith("css/site.")
    assert (tmp_path / manifest["css/site.css"]).with_suffix(".css.br").exists()
