"""Organisers edit the programme in the conference's own zone (STYLE.md, after Indico):
every session screen activates that zone, so the times shown and the times typed are
conference time, whatever zone the organiser's profile or browser is in."""

from django.contrib import admin, messages
from django.db import models
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.dateformat import format as date_format

from portal.models import Conference
from portal.timezones import zone_abbreviation
from schedule.importers import ImportFailed
from schedule.importers.ical import import_calendar_data
from schedule.models import AgendaItem, AgendaSettings, Session


class InConferenceZone:
    """Renders and parses this admin's datetimes in the conference's zone."""

    def _in_zone(self, view, request, *args, **kwargs):
        conference = Conference.get()
        with timezone.override(conference.zone):
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            return response

    def changelist_view(self, request, extra_context=None):
        return self._in_zone(super().changelist_view, request, extra_context=self._zone_context(extra_context))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self._in_zone(
            super().changeform_view, request, object_id, form_url, extra_context=self._zone_context(extra_context)
        )

    def _zone_context(self, extra_context):
        conference = Conference.get()
        label = f"{conference.time_zone} ({zone_abbreviation(conference.zone, timezone.now())})"
        return {**(extra_context or {}), "subtitle": f"Times are in the conference's zone: {label}"}


class ChildInline(admin.TabularInline):
    model = Session
    fk_name = "parent"
    fields = ["title", "kind", "start", "end"]
    extra = 0
    show_change_link = True
    verbose_name = "session inside it"
    verbose_name_plural = "sessions inside it (talks, live Q&A)"


@admin.register(Session)
class SessionAdmin(InConferenceZone, admin.ModelAdmin):
    list_display = ["title", "kind", "conference_start", "conference_end", "parent", "sequence"]
    list_filter = ["kind"]
    search_fields = ["title", "uid"]
    date_hierarchy = "start"
    raw_id_fields = ["parent"]
    readonly_fields = ["uid", "sequence", "created_at", "updated_at"]
    list_select_related = ["parent"]
    inlines = [ChildInline]
    fieldsets = (
        (None, {"fields": ("title", "kind", "start", "end", "parent")}),
        ("Details", {"fields": ("description", "location", "url")}),
        ("Private", {"fields": ("call_link",), "description": "Never shown in feeds or exports."}),
        ("Calendar", {"fields": ("uid", "sequence", "created_at", "updated_at")}),
    )
    change_list_template = "admin/schedule/session/change_list.html"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs["assume_scheme"] = "https"  # Django 6's default, asked for now
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="start (conference time)", ordering="start")
    def conference_start(self, session):
        return self._conference_time(session.start)

    @admin.display(description="end (conference time)", ordering="end")
    def conference_end(self, session):
        return self._conference_time(session.end)

    def _conference_time(self, instant):
        zone = timezone.get_current_timezone()  # the conference's, activated for this view
        return f"{date_format(instant.astimezone(zone), 'D j M Y, H:i')} {zone_abbreviation(zone, instant)}"

    def get_urls(self):
        return [
            path(
                "import-calendar/",
                self.admin_site.admin_view(self.import_calendar_view),
                name="schedule_session_import_calendar",
            ),
            *super().get_urls(),
        ]

    def import_calendar_view(self, request):
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            return redirect("admin:schedule_session_changelist")
        problems = []
        if request.method == "POST":
            upload = request.FILES.get("file")
            if upload is None:
                problems = ["Choose an iCalendar (.ics) file."]
            elif upload.size > 10 * 1024 * 1024:
                problems = [f"{upload.name}: larger than 10 MB; import it with manage.py import_calendar."]
            else:
                try:
                    result = import_calendar_data(
                        upload.read(),
                        source=upload.name,
                        kind=request.POST.get("kind") or None,
                        workshop=request.POST.get("workshop", "").strip() or None,
                    )
                except ImportFailed as exc:
                    problems = exc.problems
                else:
                    messages.success(request, result.summary())
                    return redirect("admin:schedule_session_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import sessions from an iCalendar file",
            "problems": problems,
            "kinds": Session.Kind.choices,
        }
        return render(request, "admin/schedule/session/import_calendar.html", context)


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    list_display = ["user", "session", "subject_key", "added_at", "reminded_at"]
    raw_id_fields = ["user", "session"]
    search_fields = ["user__email", "session__title", "subject_key"]
    list_select_related = ["user", "session"]


@admin.register(AgendaSettings)
class AgendaSettingsAdmin(admin.ModelAdmin):
    list_display = ["user", "reminder_minutes", "email_reminders", "updated_at"]
    raw_id_fields = ["user"]
    search_fields = ["user__email"]
    exclude = ["feed_token"]  # a secret: organisers have no need to read it


# Recordings have their own admin module (schedule/recordings/admin.py).
from schedule.recordings import admin as recordings_admin  # noqa: E402, F401
