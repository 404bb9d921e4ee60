"""The site's URLs plus the two reference pages, in the benchmark's settings only."""

from django.contrib import admin
from django.urls import include, path

from benchmarks import reference
from membership.models import Membership

urlpatterns = [
    path("bench/f0/<slug:partnership>/", reference.f0, name="bench_f0"),
    path("bench/l0/<slug:partnership>/<slug:body>/", reference.l0, name="bench_l0"),
    path("", include("partnership.urls")),
]
handler500 = "partnership.errors.server_error"

# The admin's changelist, the third reference, shows the same 50 memberships as L0 (its own
# default is 100 a page); changed here, in the benchmark's process only.
admin.site._registry[Membership].list_per_page = 50
