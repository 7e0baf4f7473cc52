from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models
from django.shortcuts import redirect, render
from django.urls import path

from portal.forms import RegistrationImportForm
from portal.models import Conference, RegisteredEmail, User
from portal.registrations import RegistrationImportError, import_registrations


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
