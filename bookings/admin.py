from django.contrib import admin

from bookings.models import Booking, SyncRun


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = [
        "remote_id",
        "account",
        "service",
        "direction",
        "status",
        "party_nickname",
        "session_at",
        "accept_by",
        "credits",
    ]
    list_filter = ["service", "direction", "status"]
    list_select_related = ["account"]
    search_fields = ["party_nickname", "remote_id"]
    date_hierarchy = "session_at"

    def has_add_permission(self, request) -> bool:
        return False  # rows come from AdultWork, never from a form


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = ["account", "started_at", "finished_at", "ok", "bookings_seen", "error"]
    list_filter = ["ok"]
