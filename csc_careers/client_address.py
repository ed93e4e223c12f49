"""The visitor's network address, for the per-client limits (applications, status links, sign-ins).

Behind a load balancer, REMOTE_ADDR is the balancer's address for every visitor, so one shared
limit would lock everyone out. With TRUSTED_PROXIES=N (the number of proxies in front of the app
that each append the address they saw to X-Forwarded-For), the visitor is the N-th address from
the right of that header: the ones further left were written by the client and prove nothing.
"""

from django.conf import settings


def client_address(request) -> str:
    proxies = settings.TRUSTED_PROXIES
    if proxies:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        addresses = [address.strip() for address in forwarded.split(",") if address.strip()]
        if len(addresses) >= proxies:
            return addresses[-proxies]
    return request.META.get("REMOTE_ADDR", "")
