import tempfile
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html

from keynotes import services
from keynotes.models import Keynote, Question, Speaker
from schedule.importers import ImportFailed
from schedule.importers.sitedata import import_sitedata


class SpeakerInline(admin.StackedInline):
    model = Speaker
    extra = 0
    fields = ["position", "name", "affiliation", "photo", "bio", "email"]


class SpeakersImportForm(forms.Form):
    file = forms.FileField(
        label="speakers.yml",
        help_text="Mini-Conf's speakers.yml: each keynote's session, its live Q&A and its Keynote are created or "
        "updated (keyed by the speaker's id); one transaction, nothing written on an error.",
    )


@admin.register(Keynote)
class KeynoteAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "qa_session", "pre_moderated", "peak_watchers", "links"]
    search_fields = ["title", "slug", "speakers__name"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["chairs"]
    raw_id_fields = ["talk_session", "qa_session"]
    inlines = [SpeakerInline]
    readonly_fields = ["peak_watchers", "on_air"]
    change_list_template = "admin/keynotes/keynote/change_list.html"

    @admin.display(description="Pages")
    def links(self, keynote):
        return format_html(
            '<a href="{}">page</a> · <a href="{}">chair</a> · <a href="{}">summary</a>',
            keynote.get_absolute_url(),
            reverse("keynotes:chair", args=[keynote.slug]),
            reverse("keynotes:summary", args=[keynote.slug]),
        )

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="keynotes_keynote_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """speakers.yml through the programme's sitedata import (the same as the command)."""
        form = SpeakersImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            with tempfile.TemporaryDirectory() as folder:
                target = Path(folder) / "speakers.yml"
                with target.open("wb") as out:
                    for chunk in form.cleaned_data["file"].chunks():
                        out.write(chunk)
                try:
                    results = import_sitedata(folder)
                except ImportFailed as exc:
                    form.add_error("file", f"Nothing was imported. {exc}")
                    results = None
            if results is not None:
                for result in results:
                    messages.success(request, result.summary())
                    for note in result.notes:
                        messages.info(request, note)
                return redirect("admin:keynotes_keynote_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": "Import keynotes from speakers.yml",
            "opts": self.model._meta,
        }
        return render(request, "admin/portal/registeredemail/import.html", context)


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["body", "keynote", "author", "anonymous", "status", "votes", "answered_at", "created_at"]
    list_filter = ["keynote", "status", "anonymous"]
    search_fields = ["body", "author__email", "author__display_name"]
    raw_id_fields = ["author", "merged_into"]
    readonly_fields = ["votes", "created_at"]
    actions = ["hide_questions", "approve_questions", "mark_answered"]

    def _each(self, request, queryset, verb, done):
        count = 0
        for question in queryset.select_related("keynote"):
            try:
                verb(question.keynote, request.user, question.pk)
                count += 1
            except services.ChatError as refusal:
                messages.error(request, f"Question {question.pk}: {refusal.detail}")
        if count:
            messages.success(request, f"{count} question{'s' if count != 1 else ''} {done}.")

    @admin.action(description="Hide the selected questions")
    def hide_questions(self, request, queryset):
        self._each(request, queryset, services.hide, "hidden")

    @admin.action(description="Approve the selected questions")
    def approve_questions(self, request, queryset):
        self._each(request, queryset, services.approve, "approved")

    @admin.action(description="Mark the selected questions answered")
    def mark_answered(self, request, queryset):
        self._each(request, queryset, services.mark_answered, "marked answered")
