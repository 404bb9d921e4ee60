"""The admin is for a site administrator's bootstrap and repairs. Rights are never granted here:
appointments and memberships made here take effect through ``manage.py sync_permissions``
(run nightly), and co-ordinators do their work in the service's own pages."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from membership.models import Appointment, Membership, Seat, User


@admin.register(User)
class UserAdmin(BaseUserAdmin, SimpleHistoryAdmin):
    ordering = ["full_name"]
    list_display = ["full_name", "email", "is_active"]
    search_fields = ["full_name", "email"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            "Profile",
            {"fields": ["full_name", "job_title", "phone", "postal_address", "contact_public"]},
        ),
        ("Status", {"fields": ["is_active", "is_staff", "is_superuser"]}),
    ]
    add_fieldsets = [(None, {"fields": ["email", "full_name", "password1", "password2"]})]
    filter_horizontal = []
    list_filter = ["is_active"]


@admin.register(Seat)
class SeatAdmin(SimpleHistoryAdmin):
    list_display = ["name", "body", "count", "voting"]
    list_filter = ["body__partnership"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["person", "body", "role", "starts_on", "ends_on"]
    list_filter = ["role", "body__partnership"]
    raw_id_fields = ["person"]


@admin.register(Appointment)
class AppointmentAdmin(SimpleHistoryAdmin):
    list_display = ["person", "partnership", "body", "role", "starts_on", "ends_on"]
