"""Web UI routes."""

from django.urls import path

from openrcm.web import views

urlpatterns = [
    path("", views.home, name="home"),
]
