import pytest


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Give each test its own private storage, so files left behind can be counted."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT
