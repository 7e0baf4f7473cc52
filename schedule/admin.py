from django.contrib import admin

from schedule.models import Session


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "start", "end"]
    list_filter = ["kind"]
    search_fields = ["title", "uid"]
    date_hierarchy = "start"
    raw_id_fields = ["parent"]
