"""Paper admin additions for recordings: filter by upload status ("papers without video")
and an action that e-mails the authors of the selected papers still without a video."""

from django.contrib import admin, messages
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Concat

from posters.uploads import recording_for_paper
from schedule.models import Recording
from schedule.recordings.services import send_upload_reminders


def _recordings(**filters):
    return Recording.objects.filter(subject_key=Concat(Value("paper:"), OuterRef("uid")), **filters)


class VideoStatusFilter(admin.SimpleListFilter):
    title = "video upload"
    parameter_name = "video"

    def lookups(self, request, model_admin):
        return [("without", "Papers without video"), *Recording.Status.choices]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "without":
            with_video = _recordings().filter(Q(current_version__isnull=False) | ~Q(external_url=""))
            return queryset.filter(~Exists(with_video))
        if value == Recording.Status.MISSING:
            return queryset.filter(~Exists(_recordings().exclude(status=Recording.Status.MISSING)))
        if value in Recording.Status.values:
            return queryset.filter(Exists(_recordings(status=value)))
        return queryset


@admin.action(description="E-mail a reminder to authors of the selected papers without video")
def remind_missing_videos(modeladmin, request, queryset):
    recordings = [recording_for_paper(paper) for paper in queryset]
    sent = send_upload_reminders(recordings, request.user)
    modeladmin.message_user(request, f"{sent} reminder(s) sent.", messages.SUCCESS)
