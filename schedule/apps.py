from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save


class ScheduleConfig(AppConfig):
    name = "schedule"

    def ready(self):
        from portal.models import Conference
        from schedule import exporting
        from schedule.fragments import programme_changed
        from schedule.models import Session
        from schedule.recordings.release import conference_saved, migrated

        # The programme's version (schedule.fragments.GENERATION_KEY) follows every change.
        post_save.connect(programme_changed, sender=Session, dispatch_uid="schedule-programme-saved")
        post_delete.connect(programme_changed, sender=Session, dispatch_uid="schedule-programme-deleted")

        # Stored release instants follow the release rule when it changes (issue 13, item 12).
        post_save.connect(conference_saved, sender=Conference, dispatch_uid="schedule-release-rule-saved")
        post_migrate.connect(migrated, sender=self, dispatch_uid="schedule-release-rule-migrated")

        # The static export and the sitemap ask each app for its public URLs.
        exporting.register()
