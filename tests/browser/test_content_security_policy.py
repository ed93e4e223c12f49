"""The Content-Security-Policy blocks nothing the site itself needs, in a real browser."""

import pytest
from django.urls import reverse

from tests.factories import JobPostingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pages_run_under_the_policy_without_violations(page, live_server, catalogue):
    posting = JobPostingFactory()
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    for url in (
        reverse("home"),
        reverse("positions:occupation-list"),
        reverse("positions:posting-list"),
        posting.get_absolute_url(),
        reverse("applications:apply", args=[posting.reference_number]),
        reverse("admin:login"),
    ):
        response = page.goto(f"{live_server.url}{url}")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        if not url.startswith("/en/admin/"):
            # The GC Design System components started (their scripts and styles were allowed).
            # (Polled from Python: wait_for_function would need eval, which the policy forbids.)
            header = page.locator("gcds-header")
            for _attempt in range(50):
                if header.evaluate("element => element.shadowRoot?.childElementCount || 0"):
                    break
                page.wait_for_timeout(100)
            else:
                pytest.fail(f"The GC Design System header did not start on {url}")
    assert violations == []
