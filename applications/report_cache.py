"""Reports counted once and shown for a few minutes: a national report reads every application
(about two seconds at a million), so it is not counted again for each person who opens it.

A report is kept in the cache under its scope (the SQL of the postings and applications it
counts, so people who see the same postings share it), the language of its labels, the day and
its options, for REPORT_CACHE_SECONDS. Once that has passed, the next request counts it again
while others are shown the figures they had; the page always says when the figures were counted,
and "Count again" counts them now.

Only a report's figures are kept, never an application or an answer: the employment equity
report is kept as its page shows it, every small count already suppressed, and only its page
(which checks the equity permission first) reads it back.
"""

import datetime
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation

from applications.reports import Scope
from positions.models import posting_today

# How long the figures of an old count are still shown while a new count runs (a count that
# failed leaves them in place until then).
KEPT_AFTER_STALE_SECONDS = 3600
# How long a request waits for someone else's count before counting itself.
WAIT_FOR_COUNT_SECONDS = 30
POLL_SECONDS = 0.1


@dataclass(frozen=True)
class Counted:
    """A report's figures and the moment they were counted."""

    figures: Any
    counted_at: datetime.datetime

    @property
    def age_seconds(self) -> float:
        return (timezone.now() - self.counted_at).total_seconds()


def scope_key(builder: Callable, scope: Scope, options: dict) -> str:
    """The cache key of a report: the same for every request counting the same rows the same way."""
    parts = [
        builder.__module__,
        builder.__qualname__,
        translation.get_language() or "",
        posting_today().isoformat(),
        repr(scope.postings.query.sql_with_params()),
        repr(scope.applications.query.sql_with_params()),
        repr(sorted(options.items())),
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"report:{digest}"


def counted_report(builder: Callable, scope: Scope, *, fresh: bool = False, **options) -> Counted:
    """Return the report `builder` makes of `scope` (with `options`), as counted within the last
    REPORT_CACHE_SECONDS, or counted now if it is older, missing or `fresh` is asked for.

    When another request is counting the same report, this one shows the figures there are, or
    waits for that count if there are none yet (then counts itself after WAIT_FOR_COUNT_SECONDS).
    """
    max_age = settings.REPORT_CACHE_SECONDS
    if max_age <= 0:
        return Counted(builder(scope, **options), timezone.now())
    key = scope_key(builder, scope, options)
    lock = f"{key}:counting"
    kept = cache.get(key)
    if kept is not None and kept.age_seconds < max_age and not fresh:
        return kept
    deadline = time.monotonic() + WAIT_FOR_COUNT_SECONDS
    while not cache.add(lock, True, timeout=WAIT_FOR_COUNT_SECONDS):
        # Someone is counting: what they had before will do, or what they find.
        if kept is not None and not fresh:
            return kept
        time.sleep(POLL_SECONDS)
        found = cache.get(key)
        if found is not None and (kept is None or found.counted_at > kept.counted_at):
            return found
        if time.monotonic() > deadline:
            break
    try:
        counted = Counted(builder(scope, **options), timezone.now())
        cache.set(key, counted, timeout=max_age + KEPT_AFTER_STALE_SECONDS)
    finally:
        cache.delete(lock)
    return counted
