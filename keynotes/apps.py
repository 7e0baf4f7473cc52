from django.apps import AppConfig


class KeynotesConfig(AppConfig):
    name = "keynotes"

    def ready(self):
        from django.db.models.signals import post_save

        from keynotes import exporting, importing, models, state, subjects
        from portal.state_parts import register_state_part
        from schedule.importers.sitedata import register_speaker_hook
        from schedule.models import Session

        # Keynotes are subjects, "keynote:<slug>" (schedule/subjects.py): their recording,
        # their chat room and agenda items ask about them by key.
        subjects.register()
        # Its pages in the static export and the sitemap; the keynotes on the archive's front page.
        exporting.register()
        # The visitor's votes and permissions on a keynote page (/me/state.json?qa=<slug>).
        register_state_part("qa", state.build, limit=10)
        # speakers.yml makes keynotes too (schedule never imports this app).
        register_speaker_hook(importing.import_keynote)
        post_save.connect(_keynote_saved, sender=models.Keynote, dispatch_uid="keynotes-sync-keynote")
        post_save.connect(_session_saved, sender=Session, dispatch_uid="keynotes-sync-session")


def _keynote_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from keynotes import programme

    programme.sync(instance)


def _session_saved(sender, instance, created=False, raw=False, **kwargs):
    # A moved live Q&A moves its keynote's release day.
    if raw or created or instance.kind != instance.Kind.KEYNOTE_QA:
        return
    from keynotes import programme
    from keynotes.models import Keynote

    keynote = Keynote.objects.filter(qa_session=instance).first()
    if keynote is not None:
        programme.sync(keynote)
