"""Organisers' view of every recording: status, the "without video" filter, release early /
hold back (logged), retry failed processing, remind authors who have not uploaded."""

from django.contrib import admin, messages
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html

from schedule import subjects
from schedule.recordings import release, services
from schedule.recordings.mirrors import MirrorUnreachable, sync_mirror
from schedule.recordings.models import MirrorSync, Recording, RecordingEvent, RecordingVersion
from schedule.recordings.processing import QueueUnavailable


class WithoutVideoFilter(admin.SimpleListFilter):
    title = "video"
    parameter_name = "video"

    def lookups(self, request, model_admin):
        return [("without", "Without video"), ("with", "With video")]

    def queryset(self, request, queryset):
        has = Q(current_version__isnull=False) | ~Q(external_url="")
        if self.value() == "without":
            return queryset.exclude(has)
        if self.value() == "with":
            return queryset.filter(has)
        return queryset


class VersionInline(admin.TabularInline):
    model = RecordingVersion
    extra = 0
    can_delete = False
    fields = ("number", "status", "attempts", "duration", "width", "height", "error", "created_at", "processed_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = RecordingEvent
    extra = 0
    can_delete = False
    fields = ("at", "action", "actor", "detail")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Recording)
class RecordingAdmin(admin.ModelAdmin):
    list_display = ("subject_key", "subject", "kind", "status", "release_at", "released_at", "release_override")
    list_filter = ("status", WithoutVideoFilter, "kind", "release_override", "release_day")
    search_fields = ("subject_key", "title")
    raw_id_fields = ("current_version", "uploaders")
    readonly_fields = (
        "subject",
        "release_at",
        "released_at",
        "release_override",
        "status",
        "created_at",
        "updated_at",
    )
    inlines = [VersionInline, EventInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # Django 6's default, asked for now
    actions = ["release_now", "hold", "lift", "retry_failed", "remind_authors"]

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # The page's subjects in one query per kind, not one per row.
        found = subjects.subjects_by_key(r.subject_key for r in changelist.result_list)
        for recording in changelist.result_list:
            recording._subject = found.get(recording.subject_key)
        return changelist

    @admin.display(description="subject")
    def subject(self, recording):
        """What it records, by its subject's own title, linked to its page and its upload page."""
        found = getattr(recording, "_subject", False)
        if found is False:
            found = subjects.subject(recording.subject_key)
        if found is None:
            return format_html("{} <em>(no such subject now)</em>", recording.title or recording.subject_key)
        page = format_html('<a href="{}">{}</a>', found.url, found.title) if found.url else found.title
        if found.upload_url:
            return format_html('{} · <a href="{}">upload page</a>', page, found.upload_url)
        return page

    @admin.action(description="Release early (now)")
    def release_now(self, request, queryset):
        for recording in queryset:
            release.release_early(recording, request.user, timezone.now())
        self.message_user(request, f"{queryset.count()} released early.", messages.SUCCESS)

    @admin.action(description="Hold back (not shown until the hold is lifted)")
    def hold(self, request, queryset):
        for recording in queryset:
            release.hold_back(recording, request.user, timezone.now())
        self.message_user(request, f"{queryset.count()} held back.", messages.WARNING)

    @admin.action(description="Lift the hold (the release rule applies again)")
    def lift(self, request, queryset):
        for recording in queryset.filter(release_override=Recording.Override.HELD):
            release.lift_hold(recording, request.user, timezone.now())

    @admin.action(description="Retry failed processing")
    def retry_failed(self, request, queryset):
        versions = RecordingVersion.objects.filter(recording__in=queryset, status=RecordingVersion.Status.FAILED)
        try:
            for version in versions:
                services.retry(version, request.user)
        except QueueUnavailable as failure:
            self.message_user(request, str(failure), messages.ERROR)
            return
        self.message_user(request, f"{len(versions)} version(s) queued again.", messages.SUCCESS)

    @admin.action(description="E-mail a reminder to the authors of those without video")
    def remind_authors(self, request, queryset):
        sent = services.send_upload_reminders(queryset.prefetch_related("uploaders"), request.user)
        self.message_user(request, f"{sent} reminder(s) sent.", messages.SUCCESS)


@admin.register(MirrorSync)
class MirrorSyncAdmin(admin.ModelAdmin):
    """Each mirror's last successful sync; "sync again" copies the released media now."""

    list_display = ["mirror", "synced_at", "files", "bytes", "copied", "removed"]
    readonly_fields = list_display
    actions = ["sync_again"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Sync the selected mirrors again")
    def sync_again(self, request, queryset):
        for row in queryset:
            try:
                result = sync_mirror(row.mirror)
            except MirrorUnreachable as problem:
                self.message_user(request, f"Not synced: {problem}; its record is unchanged.", messages.ERROR)
            else:
                self.message_user(
                    request, f"{row.mirror}: {result.files} files, {result.copied} copied, {result.removed} removed."
                )
