"""Fixtures of the positions tests."""

import pytest


@pytest.fixture
def uncached_pages(settings):
    """Turn the public page cache off, so that each page is built as the first visitor's is."""
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
