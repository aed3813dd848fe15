"""Web UI views: thin; they call selectors and services."""

from django.http import HttpRequest, HttpResponse


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse("OpenRCM")
