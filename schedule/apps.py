from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class ScheduleConfig(AppConfig):
    name = "schedule"

    def ready(self):
        from portal import page_cache
        from schedule.fragments import mark_agenda, programme_changed
        from schedule.models import Session
        from schedule.templatetags.schedule_tags import notices_html

        # The programme's version (schedule.fragments.GENERATION_KEY) follows every change.
        post_save.connect(programme_changed, sender=Session, dispatch_uid="schedule-programme-saved")
        post_delete.connect(programme_changed, sender=Session, dispatch_uid="schedule-programme-deleted")

        # Cached pages' per-user bits (portal.page_cache): agenda marks and reminder notices.
        page_cache.register_personaliser("agenda", mark_agenda)
        page_cache.register_hole("reminder-notices", notices_html)
