from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from keynotes import services
from keynotes.models import Keynote, Question, Speaker


class SpeakerInline(admin.StackedInline):
    model = Speaker
    extra = 0
    fields = ["position", "name", "affiliation", "photo", "bio", "email"]


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
