"""Organisers' screens for booths: create invited and affinity booths, approve or decline
applications (the message is shown to the applicant and e-mailed to them)."""

from django.contrib import admin, messages
from django.db import models

from booths.models import Booth, BoothMember, Job, MeetingSlot, Sponsor
from booths.services import applications
from booths.services.errors import BoothError


class BoothMemberInline(admin.TabularInline):
    model = BoothMember
    fk_name = "booth"
    extra = 0
    raw_id_fields = ["user", "added_by"]


@admin.register(Booth)
class BoothAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "status", "applicant", "created_at"]
    list_filter = ["status", "kind"]
    search_fields = ["name", "slug", "description", "applicant__email"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["hosts", "slots"]
    raw_id_fields = ["applicant"]
    readonly_fields = ["decided_at", "decided_by", "closes_at", "closed_at", "created_at", "updated_at"]
    inlines = [BoothMemberInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["approve", "decline"]
    fieldsets = [
        (None, {"fields": ["kind", "status", "name", "slug", "description", "logo", "links", "all_day"]}),
        ("Hosts and times", {"fields": ["hosts", "host_emails", "slots", "call_link", "open_until"]}),
        ("Application", {"fields": ["applicant", "proposed_slots", "decision_message", "decided_at", "decided_by"]}),
        ("Self-organised", {"classes": ["collapse"], "fields": ["topic", "closes_at", "closed_at"]}),
    ]

    change_list_template = "admin/booths/booth/change_list.html"

    def save_model(self, request, obj, form, change):
        """Changing a proposal's status to approved or declined decides it, once the form's
        own relations are saved (save_related): the service makes the slots, adds the hosts
        and tells the applicant."""
        decided = change and "status" in form.changed_data and form.initial.get("status") == Booth.Status.PROPOSED
        obj._verdict = obj.status if decided and obj.status != Booth.Status.PROPOSED else None
        if decided:
            obj.status = Booth.Status.PROPOSED
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        verdict = getattr(obj, "_verdict", None)
        if verdict is not None:
            applications.decide(
                obj, approve=verdict == Booth.Status.APPROVED, message=obj.decision_message, by=request.user
            )
            obj.refresh_from_db()
            self.message_user(request, f"“{obj.name}” is {obj.get_status_display().lower()}; the applicant is told.")

    def _decide(self, request, queryset, approve):
        for booth in queryset:
            try:
                applications.decide(booth, approve=approve, message=booth.decision_message, by=request.user)
            except BoothError as refusal:
                self.message_user(request, f"{booth.name}: {refusal.detail}", messages.ERROR)

    @admin.action(description="Approve the selected proposals (their message is sent)")
    def approve(self, request, queryset):
        self._decide(request, queryset, True)

    @admin.action(description="Decline the selected proposals (their message is sent)")
    def decline(self, request, queryset):
        self._decide(request, queryset, False)


class JobInline(admin.TabularInline):
    model = Job
    extra = 0
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class MeetingSlotInline(admin.TabularInline):
    model = MeetingSlot
    extra = 0
    raw_id_fields = ["recruiter", "booked_by"]
    readonly_fields = ["booked_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Sponsor)
class SponsorAdmin(admin.ModelAdmin):
    list_display = ["name", "tier", "tier_rank", "booth"]
    list_filter = ["tier"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["talks", "recruiters"]
    raw_id_fields = ["booth"]
    inlines = [JobInline, MeetingSlotInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    change_list_template = "admin/booths/sponsor/change_list.html"


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["title", "sponsor", "place", "deadline"]
    list_filter = ["sponsor"]
    search_fields = ["title", "place"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(MeetingSlot)
class MeetingSlotAdmin(admin.ModelAdmin):
    list_display = ["sponsor", "start", "end", "recruiter", "booked_by", "cancelled_at"]
    list_filter = ["sponsor"]
    raw_id_fields = ["recruiter", "booked_by"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
