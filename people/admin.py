from django import forms
from django.contrib import admin

from people import stream
from people.models import Block, Introduction, Match, Profile, QueueEntry, Seat, StreamSegment


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
