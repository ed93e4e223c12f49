"""Feeds of the open postings: an Atom feed narrowed by the postings list's filters, the XML
feed job boards ingest (Indeed's format) and an open-data JSON feed, each in both languages."""

import datetime
import io
import re

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db import models
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed, rfc2822_date
from django.utils.translation import gettext as _
from django.utils.xmlutils import SimplerXMLGenerator
from django.views import View

from positions.filters import PostingFilter
from positions.models import (
    Facility,
    JobPosting,
    LanguageRequirement,
    Occupation,
    Tenure,
    WhoCanApply,
)
from positions.models.postings import POSTING_TIME_ZONE
from positions.models.search import keyword_words
from positions.structured_data import EMPLOYMENT_TYPES
from positions.templatetags.site_tags import money


def scope_names(filterset: PostingFilter) -> list[str]:
    """Return what the filters in use narrow the postings to, in words."""
    names = []
    for name, value in filterset.form.cleaned_data.items():
        field = filterset.form.fields[name]
        if name == "sort" or value in (None, ""):
            continue
        if name == "q":
            # The words searched: what else was typed (control characters…) is not searched.
            if words := keyword_words(value):
                names.append(_("“%(keyword)s”") % {"keyword": " ".join(words)})
        elif isinstance(value, models.Model):
            names.append(str(value))
        elif name == "salary":
            names.append(_("%(amount)s a year or more") % {"amount": money(value)})
        else:
            names.append(
                _("%(filter)s: %(value)s")
                % {"filter": field.label, "value": dict(field.choices)[value]}
            )
    return names


def with_query(url: str, filterset: PostingFilter) -> str:
    """Return the URL with the filters in use."""
    query = filterset.filter_query().urlencode()
    return f"{url}?{query}" if query else url


class NewPostingsFeed(Feed):
    feed_type = Atom1Feed
    limit = 50

    def get_object(self, request):
        """Return the postings list's filters, as its "Follow" link passes them (404 if wrong)."""
        self.request = request
        filterset = PostingFilter(
            request.GET, queryset=JobPosting.objects.open().for_list(), request=request
        )
        if not filterset.is_valid():
            raise Http404("Some filters are not valid.")
        return filterset

    def title(self, filterset):
        names = scope_names(filterset)
        if names:
            return _("New job postings at CSC: %(scope)s") % {"scope": ", ".join(names)}
        return _("New job postings at CSC")

    def subtitle(self, filterset):
        return _("Job postings of the Correctional Service of Canada, newest first.")

    def link(self, filterset):
        return with_query(reverse("positions:posting-list"), filterset)

    def feed_url(self, filterset):
        return with_query(reverse("positions:posting-feed"), filterset)

    def items(self, filterset):
        return filterset.qs.order_by("-open_date", "reference_number")[: self.limit]

    def item_title(self, posting):
        return f"{posting.title} ({posting.classification})"

    def item_description(self, posting):
        places = ", ".join(f"{f.name}, {f.city}" for f in posting.locations.all())
        return _("%(places)s. %(low)s to %(high)s a year. Closes %(date)s.") % {
            "places": places,
            "low": money(posting.salary_min),
            "high": money(posting.salary_max),
            "date": posting.closing_date.isoformat(),
        }

    def item_pubdate(self, posting):
        return posting.published_at

    def item_updateddate(self, posting):
        return posting.updated_at

    def item_guid(self, posting):
        return self.request.build_absolute_uri(posting.get_absolute_url())


# --- Feeds of every open posting, for job boards and open data ---------------------------------


def postings_for_feeds():
    """Return the open postings with what the job-board and open-data feeds show of them.

    Three queries whatever their number: the postings, their occupations, their places (with
    province and region joined).
    """
    return (
        JobPosting.objects.open()
        .defer("search_en", "search_fr")
        .prefetch_related(
            models.Prefetch("occupation", queryset=Occupation.objects.only("title_en", "title_fr")),
            models.Prefetch(
                "locations", queryset=Facility.objects.select_related("province", "region")
            ),
        )
        .order_by("reference_number")
    )


def in_language(instance: models.Model, field: str, language: str) -> str:
    """Return a translated field's text in a language, in English where it has none (as shown)."""
    return getattr(instance, f"{field}_{language}") or getattr(instance, f"{field}_en") or ""


def opening_moment(posting: JobPosting) -> datetime.datetime:
    """Return the aware moment a posting opens: the start of its open date, Pacific time."""
    return datetime.datetime.combine(posting.open_date, datetime.time.min, POSTING_TIME_ZONE)


# Indeed's job types, for the schema.org employment types each tenure has: the tenure rule stays
# in one place (structured_data.EMPLOYMENT_TYPES), job boards read it in their own words.
INDEED_JOB_TYPES = {
    "FULL_TIME": "fulltime",
    "PART_TIME": "parttime",
    "CONTRACTOR": "contract",
    "TEMPORARY": "temporary",
    "INTERN": "internship",
}


def indeed_job_type(tenure: str) -> str:
    """Return a tenure as Indeed's <jobtype>, e.g. "fulltime, temporary" for a term."""
    return ", ".join(INDEED_JOB_TYPES[kind] for kind in EMPLOYMENT_TYPES[Tenure(tenure)])


# Characters XML 1.0 cannot carry at all, not even in a CDATA section.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def cdata(text: str) -> str:
    """Return text as CDATA sections, each "]]>" split across two so that none ends early."""
    text = NOT_XML.sub("", str(text))
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


class JobFeedXMLGenerator(SimplerXMLGenerator):
    def addCDataElement(self, name: str, text: str) -> None:
        """Write <name> holding the text as CDATA, as Indeed's feed writes job content."""
        self.startElement(name, {})
        # XMLGenerator writes ignorable whitespace as it is given: here, the CDATA sections.
        self.ignorableWhitespace(cdata(text))
        self.endElement(name)


class JobBoardFeedView(View):
    """Every open posting in Indeed's XML format (which other job boards read too), in the
    language of the URL.

    Indeed's feed reference says "The same job posted in multiple locations must have a unique
    value" for <referencenumber>: it takes one <job> per place, each with its own <city> and
    <state>, rather than one <job> naming the first place with the others in the description. So
    a posting at several places is one <job> per place: <referencenumber> is the posting's
    reference number and the facility's slug (stable, as Indeed requires: "Do not change the
    number after you set it"), and <requisitionid> the posting's reference number in all of them.
    """

    def get(self, request):
        output = io.StringIO()
        xml = JobFeedXMLGenerator(output, "utf-8", short_empty_elements=False)
        xml.startDocument()
        xml.startElement("source", {})
        xml.addQuickElement("publisher", _("CSC Careers"))
        xml.addQuickElement("publisherurl", request.build_absolute_uri(reverse("home")))
        xml.addQuickElement("lastBuildDate", rfc2822_date(timezone.now()))
        for posting in postings_for_feeds():
            for facility in posting.locations.all() or [None]:
                self.write_job(xml, request, posting, facility)
        xml.endElement("source")
        xml.endDocument()
        return HttpResponse(output.getvalue(), content_type="application/xml; charset=utf-8")

    @staticmethod
    def write_job(xml: JobFeedXMLGenerator, request, posting: JobPosting, facility) -> None:
        """Write one <job>: the posting at one of its places (None: it names no place)."""
        reference = posting.reference_number
        xml.startElement("job", {})
        xml.addCDataElement("title", posting.title)
        xml.addCDataElement("date", rfc2822_date(opening_moment(posting)))
        xml.addCDataElement(
            "referencenumber", f"{reference}/{facility.slug}" if facility else reference
        )
        xml.addCDataElement("requisitionid", reference)
        xml.addCDataElement("url", request.build_absolute_uri(posting.get_absolute_url()))
        xml.addCDataElement("company", _("Correctional Service of Canada"))
        if facility is not None:
            xml.addCDataElement("city", facility.city)
            xml.addCDataElement("state", facility.province.code)
        xml.addCDataElement("country", "CA")
        # Facilities keep no postal code, so there is no <postalcode> (Indeed's is optional).
        xml.addCDataElement("description", posting.work_description)
        xml.addCDataElement(
            "salary",
            _("%(low)s – %(high)s per year")
            % {"low": money(posting.salary_min), "high": money(posting.salary_max)},
        )
        xml.addCDataElement("jobtype", indeed_job_type(posting.tenure))
        xml.addCDataElement("expirationdate", rfc2822_date(posting.closes_at))
        xml.endElement("job")


class OpenDataFeedView(View):
    """Every open posting as open data (JSON), with its texts in both languages.

    The language of the URL sets only "language" and the labels of coded values; the fields are
    documented in the README ("Feeds").
    """

    VERSION = 1

    def get(self, request):
        data = {
            "version": self.VERSION,
            "language": translation.get_language(),
            "generated": timezone.now().isoformat(),
            "license": {
                "name": _("Open Government Licence – Canada"),
                "url": _("https://open.canada.ca/en/open-government-licence-canada"),
            },
            "postings": [self.posting_data(request, posting) for posting in postings_for_feeds()],
        }
        return JsonResponse(
            data,
            content_type="application/json; charset=utf-8",
            json_dumps_params={"ensure_ascii": False},
        )

    @staticmethod
    def posting_data(request, posting: JobPosting) -> dict:
        """Return one posting's facts, both languages side by side."""
        languages = [code for code, _name in settings.LANGUAGES]
        urls = {}
        for language in languages:
            with translation.override(language):
                urls[f"url_{language}"] = request.build_absolute_uri(posting.get_absolute_url())
        return {
            "id": posting.reference_number,
            **urls,
            **{f"title_{code}": in_language(posting, "title", code) for code in languages},
            **{
                f"occupation_{code}": in_language(posting.occupation, "title", code)
                for code in languages
            },
            "classification": posting.classification,
            "tenure": {"value": posting.tenure, "label": Tenure(posting.tenure).label},
            "salary_min": posting.salary_min,
            "salary_max": posting.salary_max,
            "language_requirement": {
                "value": posting.language_requirement,
                "label": LanguageRequirement(posting.language_requirement).label,
            },
            "open_date": posting.open_date.isoformat(),
            "closing_date": posting.closing_date.isoformat(),
            "closes_at": posting.closes_at.isoformat(),
            "places": [
                {
                    **{f"facility_{code}": in_language(f, "name", code) for code in languages},
                    **{f"city_{code}": in_language(f, "city", code) for code in languages},
                    "province": f.province.code,
                    "region": f.region.slug,
                    **{f"region_{code}": in_language(f.region, "name", code) for code in languages},
                }
                for f in posting.locations.all()
            ],
            "who_can_apply": {
                "value": posting.eligibility,
                "label": WhoCanApply(posting.eligibility).label,
            },
            "positions_to_fill": posting.positions_to_fill,
            "updated": posting.updated_at.isoformat(),
        }
