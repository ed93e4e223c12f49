"""The entitlement checks panel of the application's page (applications/admin_pools.py)."""

from django import template

from applications.admin_pools import entitlement_panel

register = template.Library()


@register.inclusion_tag("admin/applications/application/entitlement_panel.html", takes_context=True)
def entitlement_checks(context, application):
    """Render what the reader may see of the application's entitlement checks, and the form."""
    return {
        **entitlement_panel(context["request"].user, application),
        "csrf_token": context.get("csrf_token"),
    }
