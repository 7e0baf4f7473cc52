from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class ScheduleConfig(AppConfig):
    name = "schedule"

    def ready(self):
        from schedule.fragments import programme_changed
        from schedule.models import Session

        # The programme's cached version (schedule.fragments.programme_state) follows every change.
        post_save.connect(programme_changed, sender=Session, dispatch_uid="schedule-programme-saved")
        post_delete.connect(programme_changed, sender=Session, dispatch_uid="schedule-programme-deleted")
