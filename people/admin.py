from django import forms
from django.contrib import admin

from people import engagement, stream
from people.models import (
    AuthorEngagement,
    Block,
    Introduction,
    Match,
    PaperEngagement,
    Profile,
    QueueEntry,
    Seat,
    StreamSegment,
)


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "public", "suggestible", "updated_at"]
    list_filter = ["public", "suggestible"]
    search_fields = ["user__email", "user__display_name", "user__affiliation"]
    raw_id_fields = ["user"]


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ["blocker", "blocked", "created_at"]
    raw_id_fields = ["blocker", "blocked"]


@admin.register(Introduction)
class IntroductionAdmin(admin.ModelAdmin):
    list_display = ["requester", "recipient", "status", "created_at", "answered_at"]
    list_filter = ["status"]
    list_select_related = ["requester", "recipient"]
    raw_id_fields = ["requester", "recipient"]


@admin.register(QueueEntry)
class QueueEntryAdmin(admin.ModelAdmin):
    list_display = ["user", "topic", "group_size", "joined_at", "position"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


class SeatInline(admin.TabularInline):
    model = Seat
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    list_display = ["pk", "status", "created_at", "answer_by", "shared", "room_key"]
    list_filter = ["status"]
    inlines = [SeatInline]


class StreamSegmentForm(forms.ModelForm):
    clip_url = forms.URLField(
        label="clip",
        required=False,
        assume_scheme="https",
        help_text=StreamSegment._meta.get_field("clip_url").help_text,
    )

    class Meta:
        model = StreamSegment
        fields = ["kind", "title", "start", "end", "subject_key", "session", "clip_url", "note"]

    def clean(self):
        cleaned = super().clean()
        segment = self.instance
        for name, value in cleaned.items():
            setattr(segment, name, value)
        stream.validate(segment)
        return cleaned


@admin.register(StreamSegment)
class StreamSegmentAdmin(admin.ModelAdmin):
    """The livestream's running order: what /live/ and the home page show now and next."""

    form = StreamSegmentForm
    list_display = ["start", "end", "kind", "title", "subject_key", "session"]
    list_filter = ["kind"]
    raw_id_fields = ["session"]
    search_fields = ["title", "subject_key"]

    def save_model(self, request, obj, form, change):
        stream.fill_next_session(obj)
        super().save_model(request, obj, form, change)


class ReadOnlyFigures(admin.ModelAdmin):
    """Figures to read: nothing here is added, changed or deleted."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="answers required")
    def required(self, obj):
        return engagement.required_for(obj.questions)

    @admin.display(description="meets the minimum", boolean=True)
    def meets_policy(self, obj):
        return obj.answered >= engagement.required_for(obj.questions)


@admin.register(PaperEngagement)
class PaperEngagementAdmin(ReadOnlyFigures):
    list_display = ["title", "uid", "questions", "answered", "required", "meets_policy"]
    search_fields = ["title", "uid"]
    list_per_page = 100

    def get_queryset(self, request):
        papers = super().get_queryset(request).only("uid", "title")
        return engagement.annotate_papers(papers).order_by("-questions", "title")

    @admin.display(ordering="questions")
    def questions(self, obj):
        return obj.questions

    @admin.display(ordering="answered")
    def answered(self, obj):
        return obj.answered


@admin.register(AuthorEngagement)
class AuthorEngagementAdmin(ReadOnlyFigures):
    list_display = ["name", "paper_count", "questions", "answered", "required", "meets_policy"]
    search_fields = ["name"]
    list_per_page = 100

    def get_queryset(self, request):
        authors = super().get_queryset(request).only("name", "slug")
        return engagement.annotate_authors(authors).order_by("-questions", "name")

    @admin.display(description="papers", ordering="paper_count")
    def paper_count(self, obj):
        return obj.paper_count

    @admin.display(ordering="questions")
    def questions(self, obj):
        return obj.questions

    @admin.display(ordering="answered")
    def answered(self, obj):
        return obj.answered

    @admin.display(description="answers required")
    def required(self, obj):
        # Per paper: the minimum of each of their papers is not known from the sum; the policy
        # is shown against their papers' total (each paper's own figure is on the per-paper list).
        return min(engagement.minimum() * obj.paper_count, obj.questions)

    @admin.display(description="meets the minimum", boolean=True)
    def meets_policy(self, obj):
        return obj.answered >= self.required(obj)
