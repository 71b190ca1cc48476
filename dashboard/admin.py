from django.contrib import admin

from dashboard.models import Account, Grant


class GrantInline(admin.TabularInline):
    model = Grant
    fk_name = "account"
    extra = 0
    autocomplete_fields = ["user"]
    exclude = ["granted_by"]


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    # The connection (tokens) is deliberately not shown here, not even encrypted.
    list_display = ["nickname", "remote_user_id", "owner", "group_name", "reconnect_needed"]
    list_filter = ["reconnect_needed", "is_group_manager"]
    search_fields = ["nickname", "remote_user_id", "owner__username"]
    readonly_fields = ["remote_user_id", "connected_at"]
    inlines = [GrantInline]
