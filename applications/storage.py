"""Private storage for applicants' files.

A directory outside MEDIA_ROOT that no URL serves, or (STORAGES["private"], set by RESUME_BUCKET)
a private S3-compatible bucket whose files are reached only through short-lived signed URLs.
"""

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


class PrivateFileSystemStorage(FileSystemStorage):
    """File storage whose files have no URL: they are only ever sent by a permission check."""

    def url(self, name):
        raise ValueError("Private files have no URL; send them through a permission-checked view.")


class PrivateStorage(LazyObject):
    """Built on first use from the settings (and rebuilt if a test changes them)."""

    def _setup(self):
        if "private" in settings.STORAGES:
            self._wrapped = storages["private"]
            return
        self._wrapped = PrivateFileSystemStorage(
            location=settings.PRIVATE_MEDIA_ROOT, base_url=None, file_permissions_mode=0o600
        )


private_storage = PrivateStorage()


def get_private_storage():
    """Return the private storage (a callable, so migrations never record a path)."""
    return private_storage


@receiver(setting_changed)
def reset_private_storage(*, setting, **kwargs):
    if setting in {"PRIVATE_MEDIA_ROOT", "STORAGES"}:
        private_storage._wrapped = empty
