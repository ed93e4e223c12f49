"""Private storage for applicants' files: a directory outside MEDIA_ROOT that no URL serves."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


class PrivateFileSystemStorage(FileSystemStorage):
    """File storage whose files have no URL: they are only ever sent by a permission check."""

    def url(self, name):
        raise ValueError("Private files have no URL; send them through a permission-checked view.")


class PrivateStorage(LazyObject):
    """Built on first use from PRIVATE_MEDIA_ROOT (and rebuilt if a test changes it)."""

    def _setup(self):
        self._wrapped = PrivateFileSystemStorage(
            location=settings.PRIVATE_MEDIA_ROOT, base_url=None, file_permissions_mode=0o600
        )


private_storage = PrivateStorage()


def get_private_storage():
    """Return the private storage (a callable, so migrations never record a path)."""
    return private_storage


@receiver(setting_changed)
def reset_private_storage(*, setting, **kwargs):
    if setting == "PRIVATE_MEDIA_ROOT":
        private_storage._wrapped = empty
