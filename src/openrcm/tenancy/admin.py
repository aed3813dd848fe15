"""Django admin for tenancy: organizations, practices, locations, memberships."""

from django.contrib import admin

from openrcm.tenancy.admin_types import ModelAdmin, TabularInline
from openrcm.tenancy.models import Counter, Location, Membership, Organization, Practice


@admin.register(Organization)
class OrganizationAdmin(ModelAdmin[Organization]):
    list_display = ["name", "slug", "is_demo", "created_at"]
    search_fields = ["name", "slug"]


class LocationInline(TabularInline[Location, Practice]):
    model = Location
    extra = 0
    fields = ["name", "npi", "default_place_of_service", "city", "state", "zip_code"]


@admin.register(Practice)
class PracticeAdmin(ModelAdmin[Practice]):
    list_display = [
        "name",
        "slug",
        "organization",
        "group_npi",
        "tin",
        "time_zone",
        "auto_submit",
        "submit_at",
    ]
    list_filter = ["organization", "auto_submit"]
    search_fields = ["name", "slug", "group_npi"]
    inlines = [LocationInline]


@admin.register(Location)
class LocationAdmin(ModelAdmin[Location]):
    list_display = ["name", "practice", "npi", "default_place_of_service", "city", "state"]
    list_filter = ["practice"]
    search_fields = ["name"]


@admin.register(Membership)
class MembershipAdmin(ModelAdmin[Membership]):
    list_display = ["user", "practice", "role", "created_at"]
    list_filter = ["role", "practice"]
    search_fields = ["user__username", "practice__name"]
    autocomplete_fields = ["user"]


@admin.register(Counter)
class CounterAdmin(ModelAdmin[Counter]):
    list_display = ["practice", "name", "value"]
    list_filter = ["practice"]
    readonly_fields = ["practice", "name", "value"]
