from django.apps import AppConfig


class PostersConfig(AppConfig):
    name = "posters"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from posters import models, subjects
        from posters.page_cache import recording_changed, row_changed
        from schedule.models import Session

        # Any change to what the papers pages show makes their cached parts stale.
        for model in (
            models.Paper,
            models.Author,
            models.Keyword,
            models.Authorship,
            models.PaperKeyword,
            models.PosterSlot,
            models.SimilarPaper,
            Session,
        ):
            post_save.connect(row_changed, sender=model, dispatch_uid=f"posters-cache-{model.__name__}-save")
            post_delete.connect(row_changed, sender=model, dispatch_uid=f"posters-cache-{model.__name__}-delete")

        # Cached pages' per-user bits (portal.page_cache).
        from portal import page_cache
        from posters.page_cache import fill_stars
        from posters.templatetags.paper_recordings import fill_paper_media

        page_cache.register_personaliser("stars", fill_stars)

        # A logged-in visitor's bookmarks live in their cached entry (portal/user_cache.py).
        from portal import user_cache
        from posters.bookmarks import bookmarked_uid_set

        user_cache.register_fact("bookmarks", bookmarked_uid_set)
        post_save.connect(_bookmark_changed, sender=models.Bookmark, dispatch_uid="posters-user-cache-bookmark-save")
        post_delete.connect(
            _bookmark_changed, sender=models.Bookmark, dispatch_uid="posters-user-cache-bookmark-delete"
        )

        # The paper page shows its recording (state, override, release): a change to it
        # makes that paper's page stale.
        from schedule.recordings.models import Recording, RecordingEvent, RecordingVersion

        for model in (Recording, RecordingVersion, RecordingEvent):
            post_save.connect(recording_changed, sender=model, dispatch_uid=f"posters-recordings-{model.__name__}-save")
            post_delete.connect(
                recording_changed, sender=model, dispatch_uid=f"posters-recordings-{model.__name__}-delete"
            )
        page_cache.register_hole("paper-media", fill_paper_media)
        from posters.templatetags.posters_tags import OUTSIDE_HOLE, fill_outside_note

        page_cache.register_hole(OUTSIDE_HOLE, fill_outside_note)

        # Papers are subjects, "paper:<uid>" (schedule/subjects.py): recordings, chat rooms
        # and agenda items ask about them by key.
        subjects.register()

        # A recording's release day follows its paper's first poster session.
        post_save.connect(_slot_changed, sender=models.PosterSlot, dispatch_uid="posters-release-day-slot-save")
        post_delete.connect(_slot_changed, sender=models.PosterSlot, dispatch_uid="posters-release-day-slot-delete")
        post_save.connect(_session_changed, sender=Session, dispatch_uid="posters-release-day-session-save")


def _bookmark_changed(sender, instance, **kwargs):
    from portal import user_cache

    user_cache.bump_user(instance.user_id)


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
