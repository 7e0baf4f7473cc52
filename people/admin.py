from django.contrib import admin

from people.models import Block, Introduction, Match, Profile, QueueEntry, Seat


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
