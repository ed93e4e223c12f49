"""Settings for the test suite: the real settings (PostgreSQL from DATABASE_URL), fast hashing."""

import atexit
import shutil
import tempfile

from csc_careers.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {
    alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": alias}
    for alias in ("default", "pages")
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="csc-test-media-")
PRIVATE_MEDIA_ROOT = tempfile.mkdtemp(prefix="csc-test-private-")
# Each test process has its own résumé-check slots: parallel test runs do not wait on each other.
RESUME_CHECK_LOCK_DIR = tempfile.mkdtemp(prefix="csc-test-resume-checks-")
for _directory in (MEDIA_ROOT, PRIVATE_MEDIA_ROOT, RESUME_CHECK_LOCK_DIR):
    atexit.register(shutil.rmtree, _directory, ignore_errors=True)
# The live server's threads must not hold connections open past a test.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
