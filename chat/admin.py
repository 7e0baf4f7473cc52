"""Chat in Django admin: the moderator queue, the audit log, per-paper answer rates, exports."""

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.urls import reverse
from django.utils.html import format_html

from chat import exporting, services
from chat.models import Mention, Message, ModerationAction, Report, Room, Sanction
from chat.services.errors import ChatError


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["title", "key", "kind", "message_count", "last_message_at", "questions", "answered", "answer_rate"]
    list_filter = ["kind"]
    search_fields = ["key", "title"]
    readonly_fields = ["key", "kind", "created_at", "last_message_at", "message_count"]
    actions = ["export_csv", "export_json"]

    def get_queryset(self, request):
        visible = Q(messages__is_question=True, messages__hidden_at__isnull=True, messages__deleted_at__isnull=True)
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_questions=Count("messages", filter=visible),
                n_answered=Count("messages", filter=visible & Q(messages__answered_at__isnull=False)),
            )
        )

    @admin.display(description="questions", ordering="n_questions")
    def questions(self, room):
        return room.n_questions

    @admin.display(description="answered", ordering="n_answered")
    def answered(self, room):
        return room.n_answered

    @admin.display(description="answer rate")
    def answer_rate(self, room):
        if not room.n_questions:
            return "—"
        return f"{100 * room.n_answered // room.n_questions} %"

    def _export(self, request, queryset, fmt):
        if queryset.count() != 1:
            self.message_user(request, "Export one room at a time.", messages.WARNING)
            return None
        room = queryset.get()
        content, content_type = exporting.export(room, fmt, exported_by=request.user)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="chat-{room.key.replace(":", "-")}.{fmt}"'
        return response

    @admin.action(description="Export messages (CSV)")
    def export_csv(self, request, queryset):
        return self._export(request, queryset, "csv")

    @admin.action(description="Export messages (JSON)")
    def export_json(self, request, queryset):
        return self._export(request, queryset, "json")


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["id", "room", "author", "excerpt", "badge", "created_at", "hidden_at", "deleted_at"]
    list_filter = ["badge", "room__kind", ("hidden_at", admin.EmptyFieldListFilter)]
    search_fields = ["body", "room__key", "author__email", "author__display_name"]
    list_select_related = ["room", "author"]
    raw_id_fields = ["room", "author", "reply_to", "hidden_by"]
    readonly_fields = ["html", "created_at", "edited_at", "client_id"]
    actions = ["hide_messages"]

    @admin.display(description="message")
    def excerpt(self, message):
        return message.body[:80]

    @admin.action(description="Hide from everyone (moderators)")
    def hide_messages(self, request, queryset):
        hidden = 0
        for message in queryset:
            try:
                services.hide_message(moderator=request.user, message_id=message.pk, reason="hidden in admin")
                hidden += 1
            except ChatError as error:
                self.message_user(request, error.detail, messages.ERROR)
                return
        self.message_user(request, f"{hidden} message(s) hidden.")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["message_link", "person", "reason", "detail", "reporter", "created_at", "resolution", "resolved_by"]
    list_filter = ["resolution", "reason"]
    list_select_related = ["message", "person", "reporter", "resolved_by"]
    raw_id_fields = ["message", "person", "reporter", "resolved_by"]
    actions = ["hide_reported", "dismiss"]

    @admin.display(description="message")
    def message_link(self, report):
        if report.message_id is None:
            return "—"
        url = reverse("admin:chat_message_change", args=[report.message_id])
        return format_html('<a href="{}">#{}</a>: {}', url, report.message_id, report.message.body[:60])

    @admin.action(description="Hide the reported messages")
    def hide_reported(self, request, queryset):
        for message_id in set(queryset.filter(message__isnull=False).values_list("message_id", flat=True)):
            try:
                services.hide_message(moderator=request.user, message_id=message_id, reason="hidden in admin")
            except ChatError as error:
                self.message_user(request, error.detail, messages.ERROR)
                return
        self.message_user(request, "Hidden.")

    @admin.action(description="Dismiss (keep the messages)")
    def dismiss(self, request, queryset):
        for message_id in set(queryset.filter(message__isnull=False).values_list("message_id", flat=True)):
            try:
                services.dismiss_reports(moderator=request.user, message_id=message_id)
            except ChatError as error:
                self.message_user(request, error.detail, messages.ERROR)
                return
        self.message_user(request, "Dismissed.")


@admin.register(Sanction)
class SanctionAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "room", "until", "lifted_at", "created_by", "created_at"]
    list_filter = ["kind", ("lifted_at", admin.EmptyFieldListFilter)]
    raw_id_fields = ["user", "room", "created_by", "lifted_by"]
    search_fields = ["user__email", "user__display_name"]

    def save_model(self, request, obj, form, change):
        # Mutes and bans go through the services so they land in the audit log.
        if change:
            return super().save_model(request, obj, form, change)
        if obj.kind == Sanction.Kind.BAN:
            made = services.ban_user(moderator=request.user, user=obj.user, reason=obj.reason)
        else:
            from django.utils import timezone

            minutes = max(1, int(((obj.until or timezone.now()) - timezone.now()).total_seconds() // 60))
            made = services.mute_user(
                moderator=request.user, user=obj.user, room=obj.room, minutes=minutes, reason=obj.reason
            )
        obj.pk = made.pk


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    """The audit log is read-only: nobody edits history."""

    list_display = ["created_at", "moderator", "action", "room", "message", "target_user", "reason"]
    list_filter = ["action"]
    list_select_related = ["moderator", "room", "message", "target_user"]
    search_fields = ["reason", "moderator__email", "target_user__email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Mention)
class MentionAdmin(admin.ModelAdmin):
    list_display = ["user", "message", "created_at", "seen_at"]
    raw_id_fields = ["user", "message"]
