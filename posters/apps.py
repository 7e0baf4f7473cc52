from django.apps import AppConfig


class PostersConfig(AppConfig):
    name = "posters"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from posters import models, rooms
        from posters.page_cache import bump_version
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
            post_save.connect(bump_version, sender=model, dispatch_uid=f"posters-cache-{model.__name__}-save")
            post_delete.connect(bump_version, sender=model, dispatch_uid=f"posters-cache-{model.__name__}-delete")

        # Every paper has a chat room, "paper:<uid>" (chat/rooms.py).
        rooms.register()
