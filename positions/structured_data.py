"""schema.org JobPosting data, as search engines read it from a posting's page."""

from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

from positions.models import JobPosting, Tenure

EMPLOYMENT_TYPES = {
    Tenure.INDETERMINATE: ["FULL_TIME"],
    Tenure.TERM: ["FULL_TIME", "TEMPORARY"],
    Tenure.CASUAL: ["TEMPORARY"],
    Tenure.STUDENT: ["INTERN"],
    Tenure.INVENTORY: ["FULL_TIME"],
}

CSC = {
    "@type": "Organization",
    "name": "Correctional Service of Canada",
    "sameAs": "https://www.canada.ca/en/correctional-service.html",
}


def posting_description_html(posting: JobPosting) -> str:
    """Return the posting's description as the simple HTML Google's job-posting rules expect."""
    parts = [linebreaks(posting.work_description)]
    for heading, items in (
        (_("Essential qualifications"), posting.essential_qualifications),
        (_("Asset qualifications"), posting.asset_qualifications),
    ):
        if items:
            parts.append(f"<p><strong>{heading}</strong></p><ul>")
            parts.extend(f"<li>{escape(item.text)}</li>" for item in items)
            parts.append("</ul>")
    return "".join(parts)


def posting_json_ld(posting: JobPosting, request) -> dict:
    """Return the schema.org JobPosting of a posting (locations and qualifications prefetched)."""
    return {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": posting.title,
        "description": posting_description_html(posting),
        "identifier": {
            "@type": "PropertyValue",
            "name": CSC["name"],
            "value": posting.reference_number,
        },
        "datePosted": posting.open_date.isoformat(),
        "validThrough": posting.closes_at.isoformat(),
        "employmentType": EMPLOYMENT_TYPES[Tenure(posting.tenure)],
        "hiringOrganization": CSC,
        "jobLocation": [
            {
                "@type": "Place",
                "name": facility.name,
                "address": {
                    "@type": "PostalAddress",
                    "addressLocality": facility.city,
                    "addressRegion": facility.province.code,
                    "addressCountry": "CA",
                },
            }
            for facility in posting.locations.all()
        ],
        "baseSalary": {
            "@type": "MonetaryAmount",
            "currency": "CAD",
            "value": {
                "@type": "QuantitativeValue",
                "minValue": posting.salary_min,
                "maxValue": posting.salary_max,
                "unitText": "YEAR",
            },
        },
        "url": request.build_absolute_uri(posting.get_absolute_url()),
    }
