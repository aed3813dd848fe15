"""URL routes: the web UI, the JSON API under /api/v1 (docs at /api/docs) and the Django admin."""

from django.contrib import admin
from django.urls import include, path

from openrcm.api.root import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("account/", include("openrcm.accounts.urls")),
    path("", include("openrcm.web.urls")),
]
