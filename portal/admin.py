import base64
from datetime import timedelta

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from portal.forms import RegistrationImportForm
from portal.imports import KINDS, ImportProblems, run_import
from portal.models import Conference, PendingImport, RegisteredEmail, User
from portal.registrations import RegistrationImportError, import_registrations

SHOWN_LINES = 200


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "affiliation", "time_zone", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["email", "display_name", "affiliation"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            "Profile",
            {"fields": ("display_name", "affiliation", "time_zone", "interests", "code_of_conduct_accepted_at")},
        ),
        ("Roles", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(RegisteredEmail)
class RegisteredEmailAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "source", "created_at"]
    search_fields = ["email", "name"]
    list_filter = ["source"]
    change_list_template = "admin/portal/registeredemail/change_list.html"

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="portal_registeredemail_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        form = RegistrationImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = import_registrations(upload, source=upload.name)
            except RegistrationImportError as exc:
                form.add_error("file", str(exc))
            else:
                messages.success(
                    request, f"{result.created} registrations added, {result.existing} already on the list."
                )
                return redirect("admin:portal_registeredemail_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": "Import registered e-mails",
            "opts": self.model._meta,
        }
        return render(request, "admin/portal/registeredemail/import.html", context)


@admin.register(Conference)
class ConferenceAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # Django 6's default, asked for now
    fieldsets = (
        (None, {"fields": ("name", "short_name", "start_date", "end_date", "time_zone", "phase_override")}),
        ("Recordings", {"fields": ("release_time_zone", "release_hour")}),
        ("Live", {"fields": ("livestream_url", "call_link_visibility")}),
        ("Code of conduct", {"fields": ("code_of_conduct",)}),
    )

    def has_add_permission(self, request):
        return not Conference.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        return redirect("admin:portal_conference_change", Conference.get().pk)


@admin.register(PendingImport)
class ImportAdmin(admin.ModelAdmin):
    """Admin's import page: upload, preview (a dry run), confirm, and see the result, for every
    kind in portal/imports.py, through the same services as the management commands."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # Uploads not confirmed within a day are dropped (they may hold e-mail addresses).
        PendingImport.objects.filter(created_at__lt=timezone.now() - timedelta(days=1)).delete()
        # ?kind= preselects one (the import links on the booths', sponsors' and keynotes' lists).
        kind = request.POST.get("kind") or request.GET.get("kind")
        context = {"kinds": KINDS.values(), "kind": kind if kind in KINDS else "papers", "replace": False}
        # The button pressed: Preview, Confirm import or Cancel.
        action = next((a for a in ("preview", "confirm", "cancel") if a in request.POST), None)
        if action == "preview":
            context.update(self._preview(request))
        elif action in ("confirm", "cancel"):
            pending = PendingImport.objects.filter(pk=request.POST.get("pending"), created_by=request.user).first()
            if pending is None:
                context["problems"] = ["This preview has expired or was already imported; upload the file again."]
            elif action == "cancel":
                pending.delete()
                context["cancelled"] = True
            else:
                context.update(self._confirm(pending))
        return render(
            request,
            "admin/portal/import.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "Import papers, poster slots, calendars, sitedata, sponsors, booths and e-mails",
                **context,
            },
        )

    def _preview(self, request):
        kind = request.POST.get("kind", "")
        replace = request.POST.get("replace") == "on"
        uploads = request.FILES.getlist("files")
        files = [(upload.name, upload.read()) for upload in uploads]
        context = {"kind": kind, "replace": replace, "file_names": [name for name, _ in files]}
        try:
            lines = run_import(kind, files, replace=replace, dry_run=True)
        except ImportProblems as exc:
            return {**context, "problems": _shown(exc.problems)}
        pending = PendingImport.objects.create(
            kind=kind,
            replace=replace,
            created_by=request.user,
            files=[{"name": name, "data": base64.b64encode(data).decode("ascii")} for name, data in files],
        )
        return {**context, "preview": _shown(lines), "pending": pending}

    def _confirm(self, pending):
        files = [(f["name"], base64.b64decode(f["data"])) for f in pending.files]
        context = {"kind": pending.kind, "replace": pending.replace, "file_names": [name for name, _ in files]}
        try:
            lines = run_import(pending.kind, files, replace=pending.replace)
        except ImportProblems as exc:
            return {**context, "problems": _shown(exc.problems), "pending": pending}
        pending.delete()
        return {**context, "result": _shown(lines)}


def _shown(lines):
    lines = list(lines)
    if len(lines) > SHOWN_LINES:
        return [*lines[:SHOWN_LINES], f"… and {len(lines) - SHOWN_LINES} more."]
    return lines
