"""Organisers' screens for booths: create invited and affinity booths, approve or decline
applications (the message is shown to the applicant and e-mailed to them)."""

import tempfile
from pathlib import Path

from django.contrib import admin, messages
from django.db import models
from django.shortcuts import redirect, render
from django.urls import path

from booths.importers import FILES, import_social_booths, import_sponsors, sync_workshop_booths
from booths.models import Booth, BoothMember, Job, MeetingSlot, Sponsor
from booths.services import applications
from booths.services.errors import BoothError
from schedule.importers import ImportFailed


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

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="booths_booth_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """The same as `manage.py import_booths`: socials.yml's socials become social booths,
        every workshop gets its booth."""
        if not self.has_add_permission(request):
            return redirect("admin:booths_booth_changelist")
        problems = []
        if request.method == "POST":
            upload = request.FILES.get("file")
            try:
                notes = []
                if upload is not None:
                    if upload.name != "socials.yml" or upload.size > 5 * 1024 * 1024:
                        raise ImportFailed([f"{upload.name}: choose a socials.yml of at most 5 MB."])
                    with tempfile.TemporaryDirectory() as folder:
                        target = Path(folder, "socials.yml")
                        target.write_bytes(upload.read())
                        result = import_social_booths(target)
                    notes.append(
                        f"Socials: {result.created} booths created, {result.updated} updated, "
                        f"{result.unchanged} unchanged; {result.matched} slots linked."
                    )
                notes.append(f"Workshops: {sync_workshop_booths().created} booths created.")
            except ImportFailed as exc:
                problems = exc.problems
            else:
                messages.success(request, " ".join(notes))
                return redirect("admin:booths_booth_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import socials and workshop booths",
            "problems": problems,
        }
        return render(request, "admin/booths/booth/import.html", context)

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

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="booths_sponsor_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """The same import as `manage.py import_sponsors`: sponsors.yml, sponsors.tsv and
        expos.yml, uploaded together (any of them)."""
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            return redirect("admin:booths_sponsor_changelist")
        problems = []
        if request.method == "POST":
            uploads = request.FILES.getlist("files")
            wrong = [u.name for u in uploads if u.name not in FILES]
            if not uploads:
                problems = [f"Choose one or more of {', '.join(FILES)}."]
            elif wrong:
                problems = [f"{wrong[0]}: not one of {', '.join(FILES)} (the files keep their Mini-Conf names)."]
            elif any(u.size > 5 * 1024 * 1024 for u in uploads):
                problems = ["A file is larger than 5 MB; import it with manage.py import_sponsors."]
            else:
                with tempfile.TemporaryDirectory() as folder:
                    for upload in uploads:
                        Path(folder, upload.name).write_bytes(upload.read())
                    try:
                        result = import_sponsors(folder)
                    except ImportFailed as exc:
                        problems = exc.problems
                    else:
                        messages.success(
                            request,
                            f"Sponsors: {result.created} created, {result.updated} updated, {result.unchanged} "
                            f"unchanged; {result.matched} expo talks linked. {' '.join(result.notes)}",
                        )
                        return redirect("admin:booths_sponsor_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import sponsors from sitedata files",
            "problems": problems,
            "files": FILES,
        }
        return render(request, "admin/booths/sponsor/import.html", context)


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
