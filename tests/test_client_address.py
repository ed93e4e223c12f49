"""Where the per-client limits find the visitor's address, directly and behind proxies."""

import pytest
from django.test import RequestFactory

from csc_careers.client_address import client_address


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "", "10.0.0.2"),
        (0, "198.51.100.7", "10.0.0.2"),  # no proxy trusted: the header is the client's word
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "192.0.2.1, 198.51.100.7", "198.51.100.7"),  # the forged left part is ignored
        (2, "192.0.2.1, 198.51.100.7, 203.0.113.5", "198.51.100.7"),
        (2, "198.51.100.7", "10.0.0.2"),  # fewer hops than proxies: not through them
        (1, " , ", "10.0.0.2"),
    ],
)
def test_client_address(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_the_rate_limits_and_the_sign_in_lock_out_both_use_it(settings):
    uses = {settings.RATELIMIT_IP_META_KEY, settings.AXES_CLIENT_IP_CALLABLE}
    assert uses == {"csc_careers.client_address.client_address"}
