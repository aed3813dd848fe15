"""Django admin for tenancy: organizations, practices, locations, memberships."""

from django.contrib import admin

from openrcm.tenancy.models import Counter, Location, Membership, Organization, Practice


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_demo", "created_at"]
    search_fields = ["name", "slug"]


class LocationInline(admin.TabularInline):
    model = Location
    extra = 0
    fields = ["name", "npi", "default_place_of_service", "city", "state", "zip_code"]


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "organization", "group_npi", "tin", "time_zone"]
    list_filter = ["organization"]
    search_fields = ["name", "slug", "group_npi"]
    inlines = [LocationInline]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "practice", "npi", "default_place_of_service", "city", "state"]
    list_filter = ["practice"]
    search_fields = ["name"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "practice", "role", "created_at"]
    list_filter = ["role", "practice"]
    search_fields = ["user__username", "practice__name"]
    autocomplete_fields = ["user"]


@admin.register(Counter)
class CounterAdmin(admin.ModelAdmin):
    list_display = ["practice", "name", "value"]
    list_filter = ["practice"]
    readonly_fields = ["practice", "name", "value"]
