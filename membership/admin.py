"""The admin is for a site administrator's bootstrap and repairs. Rights are never granted here:
appointments and memberships made here take effect through ``manage.py sync_permissions``
(run nightly), and co-ordinators do their work in the service's own pages."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from membership import services
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
        ("Second factor", {"fields": ["second_factor_since"]}),
    ]
    readonly_fields = ["second_factor_since"]
    add_fieldsets = [(None, {"fields": ["email", "full_name", "password1", "password2"]})]
    filter_horizontal = []
    list_filter = ["is_active"]
    actions = ["sign_out_everywhere", "reset_second_factor"]

    @admin.action(description="Sign the selected people out everywhere", permissions=["change"])
    def sign_out_everywhere(self, request, queryset):
        """Ends every session and remembered browser of theirs (a lost laptop, a leaver);
        recorded in each person's history with the administrator's name."""
        for person in queryset:
            services.account_sign_out_everywhere(user=person, actor=request.user)
        self.message_user(request, f"Signed out everywhere: {queryset.count()} people.")

    @admin.action(
        description="Reset the second factor of the selected people", permissions=["change"]
    )
    def reset_second_factor(self, request, queryset):
        """For an administrator who has lost their phone and codes (co-ordinators reset
        members' in the service's own pages): recorded, signed out everywhere, told. Only a
        superuser resets a superuser's."""
        for person in queryset:
            if person.is_superuser and not request.user.is_superuser:
                self.message_user(
                    request, f"{person}: only a superuser can reset a superuser's.", messages.ERROR
                )
                continue
            try:
                services.second_factor_reset(
                    actor=request.user, person=person, by_administrator=True
                )
            except ValidationError as exc:
                self.message_user(request, f"{person}: {exc.messages[0]}", messages.ERROR)
            else:
                self.message_user(request, f"{person}'s second factor has been reset.")


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


# Authenticators are changed only through the service (set up, reset: recorded and told), never
# edited or deleted in the admin, which would remove someone's second factor silently.
admin.site.unregister(TOTPDevice)
