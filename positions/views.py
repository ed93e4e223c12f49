"""Public pages of the occupation catalogue."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token
from django.views.generic import DetailView, ListView, TemplateView

from positions.filters import OccupationFilter
from positions.models import (
    CareerStream,
    Occupation,
    ProgramArea,
    StrategicPriority,
    WorkEnvironment,
)


class HomeView(TemplateView):
    template_name = "positions/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["streams"] = (
            CareerStream.objects.prefetch_related("occupations")
            .filter(occupations__is_published=True)
            .distinct()
        )
        context["work_environments"] = WorkEnvironment.objects.exclude(count=None)
        return context


class OccupationListView(ListView):
    template_name = "positions/occupation_list.html"
    context_object_name = "occupations"
    paginate_by = settings.PAGINATE_BY

    def get_queryset(self):
        self.filterset = OccupationFilter(
            self.request.GET or None,
            queryset=Occupation.objects.published().for_list(),
            request=self.request,
        )
        if self.filterset.is_bound and not self.filterset.is_valid():
            messages.error(
                self.request,
                _("Some search filters were not understood and were ignored. Please check them."),
            )
            return self.filterset.queryset.none()
        return self.filterset.qs

    def paginate_queryset(self, queryset, page_size):
        # An out-of-range or malformed page number shows the last or first page, never a 404.
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop(self.page_kwarg, None)
        context["filter"] = self.filterset
        context["query_without_page"] = query.urlencode()
        context["result_count"] = context["paginator"].count
        context["is_filtered"] = any(v for k, v in self.request.GET.items() if k != "page")
        return context


class OccupationDetailView(DetailView):
    template_name = "positions/occupation_detail.html"
    context_object_name = "occupation"

    def get_queryset(self):
        return Occupation.objects.published().for_detail()


class AboutView(TemplateView):
    template_name = "positions/about.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["priorities"] = StrategicPriority.objects.all()
        context["program_areas"] = ProgramArea.objects.all()
        context["work_environments"] = WorkEnvironment.objects.all()
        return context


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


@requires_csrf_token
def server_error(request):
    # 500.html extends nothing that touches the database: whatever failed must not fail again.
    return render(request, "500.html", status=500)
