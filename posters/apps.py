from django.apps import AppConfig


class PostersConfig(AppConfig):
    name = "posters"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from posters import archive, models, subjects
        from schedule.models import Session

        # Papers are subjects, "paper:<uid>" (schedule/subjects.py): recordings, chat rooms
        # and agenda items ask about them by key.
        subjects.register()
        # The archive's front page and the static export ask each app for their part.
        archive.register()

        # A recording's release day follows its paper's first poster session.
        post_save.connect(_slot_changed, sender=models.PosterSlot, dispatch_uid="posters-release-day-slot-save")
        post_delete.connect(_slot_changed, sender=models.PosterSlot, dispatch_uid="posters-release-day-slot-delete")
        post_save.connect(_session_changed, sender=Session, dispatch_uid="posters-release-day-session-save")


def _sync_after_commit(paper_ids):
    """Queue these papers; one sync runs when the transaction commits (a bulk delete of
    thousands of slots queues one sync, not thousands)."""
    from django.db import transaction

    from posters.uploads import sync_release_days

    connection = transaction.get_connection()
    state = getattr(connection, "_posters_release_sync", None)
    # A rolled-back transaction drops its callbacks: then start afresh.
    if state is None or not any(entry[1] is state["run"] for entry in connection.run_on_commit):
        state = {"paper_ids": set(paper_ids)}

        def run():
            connection._posters_release_sync = None
            sync_release_days(list(state["paper_ids"]))

        state["run"] = run
        connection._posters_release_sync = state
        transaction.on_commit(run)  # runs at once outside a transaction
    else:
        state["paper_ids"].update(paper_ids)


def _slot_changed(sender, instance, **kwargs):
    _sync_after_commit([instance.paper_id])


def _session_changed(sender, instance, created=False, **kwargs):
    if not created and instance.kind == instance.Kind.POSTER:
        _sync_after_commit(list(instance.poster_slots.values_list("paper_id", flat=True)))
