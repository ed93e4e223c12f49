"""Job alerts, the subscriber's side: sign up, confirm by e-mail, manage, unsubscribe."""

import datetime
import re
import threading
import time
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from positions.alert_sending import send_job_alerts
from positions.alert_tokens import CONFIRM_SALT, MANAGE_SALT, UNSUBSCRIBE_SALT, alert_token
from positions.alerts import alert_links
from positions.models import AlertFrequency, JobAlert, JobAlertDelivery, Tenure

# Real transactions: the confirmation e-mail is queued on commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

SIGNUP = reverse("positions:alert-signup")
SEARCH = "q=nurse&tenure=indeterminate"


def sign_up(client, email="Sam.Lee@example.ca", *, language="en", query=SEARCH, **extra):
    data = {"email": email, "language": language, "frequency": "daily", "query": query}
    return client.post(SIGNUP, {**data, **extra.pop("data", {})}, **extra)


def confirmed_alert(email="sam.lee@example.ca", query=SEARCH, language="en") -> JobAlert:
    now = timezone.now()
    return JobAlert.objects.create(
        email=email, language=language, query=query, confirmed_at=now, since=now
    )


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def link_in(message) -> str:
    return path_of(re.search(r"https?://\S+/confirm/\S+", message.body).group(0))


def old_token(alert, salt, days) -> str:
    with mock.patch("django.core.signing.time.time", return_value=time.time() - days * 86400):
        return alert_token(alert, salt)


# Signing up


def test_the_postings_page_links_to_the_sign_up_page_with_its_search_and_no_form(client):
    page = client.get(reverse("positions:posting-list"), {"q": "nurse", "sort": "closing"})

    content = page.content.decode()
    assert "E-mail me new postings like these" in content
    assert f'href="{SIGNUP}?q=nurse"' in content
    # The page is cached for everyone: nothing personal, no CSRF token, no cookie.
    assert "csrfmiddlewaretoken" not in content
    assert not page.cookies


def test_the_sign_up_page_describes_the_search_and_defaults_to_the_page_language(client):
    page = client.get(SIGNUP, {"q": "nurse", "tenure": "term", "page": "2"})

    content = page.content.decode()
    assert page.status_code == 200
    assert "“nurse”" in content and "Tenure: Term" in content
    assert 'name="query" value="q=nurse&amp;tenure=term"' in content
    assert 'name="language" value="en" required id="id_language_0" checked' in content
    assert page["Cache-Control"].startswith("max-age=0") or "no-cache" in page["Cache-Control"]

    with translation.override("fr"):
        french = client.get(reverse("positions:alert-signup"), {"q": "nurse"})
    assert 'name="language" value="fr" required id="id_language_1" checked' in (
        french.content.decode()
    )


def test_a_sign_up_page_for_an_invalid_search_says_so(client):
    page = client.get(SIGNUP, {"tenure": "forever"})

    assert page.status_code == 400
    assert "This search cannot be followed" in page.content.decode()


def test_sign_up_creates_an_unconfirmed_alert_and_sends_one_confirmation(client):
    response = sign_up(client, query="tenure=indeterminate&q=nurse&sort=closing")

    assert response.status_code == 200
    assert "Check your e-mail" in response.content.decode()
    alert = JobAlert.objects.get()
    assert alert.email == "sam.lee@example.ca"
    assert alert.language == "en"
    assert alert.frequency == AlertFrequency.DAILY
    # Normalized as the postings list writes it: its order, no sort.
    assert alert.query == "q=nurse&tenure=indeterminate"
    assert alert.confirmed_at is None and alert.since is None
    [message] = mail.outbox
    assert message.to == ["sam.lee@example.ca"]
    assert message.subject == "Confirm your CSC job alert"
    assert "“nurse”" in message.body
    assert "Tenure: Indeterminate (permanent)" in message.body
    assert "/en/postings/alerts/confirm/" in message.body


def test_a_french_sign_up_gets_its_confirmation_in_french(client):
    sign_up(client, language="fr")

    [message] = mail.outbox
    assert message.subject == "Confirmez votre alerte-emploi du SCC"
    assert message.extra_headers["Content-Language"] == "fr"
    assert "/fr/postings/alerts/confirm/" in message.body
    assert "Durée d’emploi\u00a0: Durée indéterminée (permanent)" in message.body
    assert "Service correctionnel du Canada" in message.body


def test_the_answer_is_the_same_for_a_known_and_an_unknown_address(client):
    confirmed_alert()

    known = sign_up(client, "SAM.LEE@example.ca")
    unknown = sign_up(client, "nobody@example.ca")

    assert known.status_code == unknown.status_code == 200
    assert known.content.decode().replace("sam.lee", "nobody") == unknown.content.decode()
    # The confirmed subscriber is not e-mailed again; the new address is.
    assert [message.to for message in mail.outbox] == [["nobody@example.ca"]]


def test_a_sign_up_does_not_change_a_confirmed_alert(client):
    # Whoever signs up has not shown the address is theirs: a confirmed alert stays as its owner
    # chose it.
    confirmed_alert()

    sign_up(client, "sam.lee@example.ca", data={"frequency": "weekly"}, language="fr")

    alert = JobAlert.objects.get()
    assert (alert.frequency, alert.language) == (AlertFrequency.DAILY, "en")
    assert mail.outbox == []


def test_signing_up_twice_is_one_alert_with_the_new_choices(client):
    sign_up(client)
    sign_up(client, "SAM.LEE@EXAMPLE.CA", data={"frequency": "weekly"}, language="fr")

    alert = JobAlert.objects.get()
    assert (alert.frequency, alert.language) == (AlertFrequency.WEEKLY, "fr")
    assert len(mail.outbox) == 2  # the link again, for someone who lost the first e-mail


def test_the_link_of_a_second_sign_up_works_its_seven_days_even_if_the_first_expired(
    client, settings
):
    settings.ALERT_CONFIRMATION_DAYS = 7
    sign_up(client)
    JobAlert.objects.update(created_at=timezone.now() - datetime.timedelta(days=8))
    sign_up(client)
    link = link_in(mail.outbox[1])

    # The alert job's hourly clean-up deletes sign-ups not confirmed within their 7 days.
    send_job_alerts()

    assert client.post(link).status_code == 200
    assert JobAlert.objects.get().is_confirmed


def test_the_same_address_for_another_search_is_another_alert(client):
    sign_up(client)
    sign_up(client, query="q=welder")

    assert JobAlert.objects.count() == 2


def test_simultaneous_double_clicks_make_one_alert(settings):
    settings.ALERT_SIGNUP_EMAIL_RATE = "100/h"
    barrier = threading.Barrier(8)
    statuses = []

    def click():
        try:
            barrier.wait()
            statuses.append(sign_up(Client()).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [200] * 8
    assert JobAlert.objects.count() == 1


@pytest.mark.parametrize(
    "email",
    [
        "Sam Lee <sam.lee@example.ca>",
        "sam.lee@example.ca\r\nBcc: everyone@example.ca",
        "sam.lee@example.ca\n",
        "sam.lee@example.ca, other@example.ca",
        '"Sam"@example.ca',
        "not an address",
    ],
)
def test_anything_but_a_plain_address_is_refused(client, email):
    response = sign_up(client, email)

    assert response.status_code == 400
    content = response.content.decode()
    assert "There is 1 problem" in content
    assert JobAlert.objects.count() == 0
    assert mail.outbox == []


def test_a_display_name_gets_a_clear_error(client):
    content = sign_up(client, "Sam Lee <sam.lee@example.ca>").content.decode()

    assert "Enter the e-mail address only, such as name@example.com, without a name." in content


def test_an_invalid_search_is_refused(client):
    response = sign_up(client, query="tenure=forever")

    assert response.status_code == 400
    assert "Some filters of this search are not valid" in response.content.decode()
    assert not JobAlert.objects.exists()


def test_sign_ups_are_limited_per_address_from_any_connection(client, settings):
    settings.ALERT_SIGNUP_EMAIL_RATE = "3/h"
    for number in range(3):
        ok = sign_up(client, query=f"q=word{number}", REMOTE_ADDR=f"10.0.0.{number + 1}")
        assert ok.status_code == 200

    fourth = sign_up(client, "SAM.LEE@example.ca", query="q=word4", REMOTE_ADDR="10.0.0.9")

    assert fourth.status_code == 429
    assert "Too many attempts" in fourth.content.decode()
    assert JobAlert.objects.count() == 3
    # Another address is not held back by it.
    assert sign_up(client, "other@example.ca", REMOTE_ADDR="10.0.0.9").status_code == 200


def test_sign_ups_are_limited_per_visitor(client, settings):
    settings.ALERT_SIGNUP_RATE = "10/h"
    for number in range(10):
        assert sign_up(client, f"person{number}@example.ca").status_code == 200

    eleventh = sign_up(client, "person10@example.ca")

    assert eleventh.status_code == 429
    assert JobAlert.objects.count() == 10
    assert sign_up(client, "person10@example.ca", REMOTE_ADDR="10.0.0.7").status_code == 200


def test_a_thousand_sign_ups_of_one_address_are_limited(client, settings):
    settings.ALERT_SIGNUP_RATE = "10000/h"
    statuses = [sign_up(client, query=f"q=word{number}").status_code for number in range(1000)]

    assert statuses.count(200) == 3
    assert JobAlert.objects.count() == 3
    assert len(mail.outbox) == 3


# Confirming


def test_opening_the_confirmation_link_changes_nothing_and_the_button_confirms(client):
    sign_up(client)
    link = link_in(mail.outbox[0])

    page = client.get(link)
    assert page.status_code == 200
    assert "Confirm my job alert" in page.content.decode()
    assert "“nurse”" in page.content.decode()
    assert page["Cache-Control"] == "private, no-store"
    assert page["Referrer-Policy"] == "same-origin"
    assert JobAlert.objects.get().confirmed_at is None

    before = timezone.now()
    confirmed = client.post(link)
    assert confirmed.status_code == 200
    assert "Your job alert is confirmed" in confirmed.content.decode()
    alert = JobAlert.objects.get()
    assert alert.confirmed_at >= before and alert.since == alert.confirmed_at
    # It links to the manage page of the address.
    manage = re.search(r'href="(/en/postings/alerts/manage/[^"]+)"', confirmed.content.decode())
    assert client.get(manage.group(1)).status_code == 200


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_confirmation_link_shows_a_clear_page_and_changes_nothing(client, method):
    sign_up(client)
    link = link_in(mail.outbox[0])

    response = getattr(client, method)(link[:-3] + "xyz/")

    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    assert JobAlert.objects.get().confirmed_at is None


def test_a_manage_link_is_not_a_confirmation_link(client):
    alert = JobAlert.objects.create(email="sam.lee@example.ca", language="en", query="")
    manage = alert_token(alert, MANAGE_SALT)

    response = client.post(reverse("positions:alert-confirm", args=[manage]))

    assert response.status_code == 404
    assert JobAlert.objects.get().confirmed_at is None


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_expired_confirmation_link_shows_a_clear_page_and_changes_nothing(
    client, settings, method
):
    settings.ALERT_CONFIRMATION_DAYS = 7
    alert = JobAlert.objects.create(email="sam.lee@example.ca", language="en", query="")
    link = reverse("positions:alert-confirm", args=[old_token(alert, CONFIRM_SALT, 8)])

    response = getattr(client, method)(link)

    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert "7 days" in response.content.decode()
    assert JobAlert.objects.get().confirmed_at is None


# Managing


def manage_url(alert) -> str:
    return path_of(alert_links(alert)["manage"])


def test_the_manage_page_lists_every_alert_of_the_address_and_no_other(client):
    mine = confirmed_alert(query="q=nurse")
    JobAlert.objects.create(email="sam.lee@example.ca", language="fr", query="tenure=term")
    confirmed_alert(email="someone.else@example.ca", query="q=welder")

    page = client.get(manage_url(mine))

    content = page.content.decode()
    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"
    assert page["Referrer-Policy"] == "same-origin"
    assert "sam.lee@example.ca" in content
    assert "“nurse”" in content and "Tenure: Term" in content
    assert "welder" not in content and "someone.else" not in content
    assert "Waiting for confirmation" in content and "Daily" in content


def test_pause_resume_and_delete_from_the_manage_page(client):
    mine = confirmed_alert(query="q=nurse")
    other = confirmed_alert(query="q=welder")
    JobAlertDelivery.objects.create(alert=other, postings=[1, 2])
    url = manage_url(mine)

    paused = client.post(url, {"alert": other.public_id, "action": "pause"}, follow=True)
    other.refresh_from_db()
    assert other.is_paused
    assert "Paused" in paused.content.decode()
    assert not JobAlert.objects.active().filter(pk=other.pk).exists()

    client.post(url, {"alert": other.public_id, "action": "resume"})
    other.refresh_from_db()
    assert not other.is_paused and other.since > other.confirmed_at

    client.post(url, {"alert": other.public_id, "action": "delete"})
    assert list(JobAlert.objects.all()) == [mine]
    assert not JobAlertDelivery.objects.exists()


def test_deleting_the_last_alert_says_the_address_is_gone(client):
    mine = confirmed_alert()

    response = client.post(manage_url(mine), {"alert": mine.public_id, "action": "delete"})

    assert response.status_code == 200
    assert "You have no job alerts" in response.content.decode()
    assert not JobAlert.objects.exists()


def test_deleting_the_alert_of_the_link_continues_with_the_others(client):
    mine = confirmed_alert(query="q=nurse")
    confirmed_alert(query="q=welder")

    response = client.post(manage_url(mine), {"alert": mine.public_id, "action": "delete"})

    assert response.status_code == 302
    assert "welder" in client.get(response["Location"]).content.decode()


def test_the_manage_page_cannot_touch_another_address(client):
    mine = confirmed_alert()
    theirs = confirmed_alert(email="someone.else@example.ca")

    client.post(manage_url(mine), {"alert": theirs.public_id, "action": "delete"})
    client.post(manage_url(mine), {"alert": theirs.public_id, "action": "pause"})

    theirs.refresh_from_db()
    assert not theirs.is_paused


def test_managing_needs_the_signed_link(client, settings):
    mine = confirmed_alert()
    tampered = manage_url(mine)[:-3] + "xyz/"
    unsubscribe = reverse("positions:alert-manage", args=[alert_token(mine, UNSUBSCRIBE_SALT)])
    expired = reverse("positions:alert-manage", args=[old_token(mine, MANAGE_SALT, 61)])

    for url in (tampered, unsubscribe):
        assert client.get(url).status_code == 404
        response = client.post(url, {"alert": mine.public_id, "action": "delete"})
        assert response.status_code == 404
    assert client.get(expired).status_code == 410
    assert client.post(expired, {"alert": mine.public_id, "action": "delete"}).status_code == 410
    assert JobAlert.objects.filter(pk=mine.pk).exists()


# Unsubscribing


def test_the_one_click_post_unsubscribes_and_a_replay_still_answers_200():
    alert = confirmed_alert()
    JobAlertDelivery.objects.create(alert=alert, postings=[1])
    # Mailbox providers send no cookie and no CSRF token.
    client = Client(enforce_csrf_checks=True)
    url = path_of(alert_links(alert)["one_click"])

    first = client.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    replay = client.post(url, {"List-Unsubscribe": "One-Click"})

    assert first.status_code == replay.status_code == 200
    assert "You are unsubscribed" in first.content.decode()
    assert not JobAlert.objects.exists()
    assert not JobAlertDelivery.objects.exists()


def test_opening_the_one_click_url_changes_nothing(client):
    alert = confirmed_alert()

    page = client.get(path_of(alert_links(alert)["one_click"]))

    assert page.status_code == 200
    assert "Stop this job alert?" in page.content.decode()
    assert JobAlert.objects.exists()


def test_an_expired_but_genuine_one_click_link_still_unsubscribes(client, settings):
    alert = confirmed_alert()
    token = old_token(alert, UNSUBSCRIBE_SALT, settings.ALERT_LINK_MAX_AGE_DAYS + 1)
    url = reverse("positions:alert-one-click", args=[token])

    assert client.get(url).status_code == 410
    assert JobAlert.objects.exists()
    assert client.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert not JobAlert.objects.exists()


def test_a_tampered_one_click_link_changes_nothing(client):
    alert = confirmed_alert()
    url = path_of(alert_links(alert)["one_click"]).replace("/one-click/", "x/one-click/")
    manage = reverse("positions:alert-one-click", args=[alert_token(alert, MANAGE_SALT)])

    for bad in (url, manage):
        response = client.post(bad, {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()
    assert JobAlert.objects.exists()


def test_the_body_link_asks_first_and_the_button_unsubscribes(client):
    alert = confirmed_alert(query="q=nurse")
    url = path_of(alert_links(alert)["unsubscribe"])

    page = client.get(url)
    content = page.content.decode()
    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"
    assert "“nurse”" in content and 'type="submit"' in content and "Unsubscribe" in content
    assert JobAlert.objects.exists()

    done = client.post(url)
    assert done.status_code == 200
    assert "You are unsubscribed" in done.content.decode()
    assert not JobAlert.objects.exists()
    assert client.post(url).status_code == 200  # a second click


def test_the_body_link_form_needs_its_csrf_token():
    alert = confirmed_alert()
    client = Client(enforce_csrf_checks=True)

    response = client.post(path_of(alert_links(alert)["unsubscribe"]))

    assert response.status_code == 403
    assert JobAlert.objects.exists()


def test_an_expired_body_link_shows_a_clear_page(client, settings):
    alert = confirmed_alert()
    token = old_token(alert, UNSUBSCRIBE_SALT, settings.ALERT_LINK_MAX_AGE_DAYS + 1)

    response = client.get(reverse("positions:alert-unsubscribe", args=[token]))

    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()


def test_alert_links_are_absolute_and_in_the_subscriber_language(settings):
    settings.SITE_URL = "https://careers.example.ca/"
    alert = confirmed_alert(language="fr")

    links = alert_links(alert)

    assert set(links) == {"manage", "unsubscribe", "one_click"}
    assert links["manage"].startswith("https://careers.example.ca/fr/postings/alerts/manage/")
    assert links["unsubscribe"].startswith(
        "https://careers.example.ca/fr/postings/alerts/unsubscribe/"
    )
    assert links["one_click"] == links["unsubscribe"] + "one-click/"


# In French


def test_the_pages_are_in_french(client):
    alert = confirmed_alert(query=f"tenure={Tenure.TERM.value}", language="fr")

    with translation.override("fr"):
        signup = client.get(reverse("positions:alert-signup"), {"tenure": "term"})
        sent = client.post(
            reverse("positions:alert-signup"),
            {"email": "a@example.ca", "language": "fr", "frequency": "weekly", "query": ""},
        )
    manage = client.get(path_of(alert_links(alert)["manage"]))
    unsubscribe = client.get(path_of(alert_links(alert)["unsubscribe"]))

    assert '<html lang="fr"' in signup.content.decode()
    assert "M’envoyer les nouvelles offres d’emploi" in signup.content.decode()
    assert "Durée d’emploi\u00a0: Durée déterminée" in signup.content.decode()
    assert "Vérifiez vos courriels" in sent.content.decode()
    assert "Vos alertes-emploi" in manage.content.decode()
    assert "Chaque jour" in manage.content.decode()
    assert "Se désabonner" in unsubscribe.content.decode()


# HR's view


def test_hr_finds_a_subscription_by_address_cannot_add_or_edit_and_may_delete(admin_client):
    alert = confirmed_alert()
    JobAlertDelivery.objects.create(alert=alert, postings=[1], sent_at=timezone.now())
    confirmed_alert(email="someone.else@example.ca")
    changelist = reverse("admin:positions_jobalert_changelist")

    found = admin_client.get(changelist, {"q": "SAM.LEE@example.ca"})

    content = found.content.decode()
    assert "sam.lee@example.ca" in content and "someone.else" not in content
    assert reverse("admin:positions_jobalert_add") not in content
    assert admin_client.get(reverse("admin:positions_jobalert_add")).status_code == 403
    change = admin_client.get(reverse("admin:positions_jobalert_change", args=[alert.pk]))
    assert 'name="email"' not in change.content.decode()  # shown, not editable
    admin_client.post(reverse("admin:positions_jobalert_delete", args=[alert.pk]), {"post": "yes"})
    assert not JobAlert.objects.filter(pk=alert.pk).exists()
    assert not JobAlertDelivery.objects.exists()
