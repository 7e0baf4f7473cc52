from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = "Chat"

    def ready(self):
        from chat.rooms import register_corridor

        register_corridor()

        # Pages cached whole (portal.page_cache) hold a room's panel as a hole.
        from chat import panel
        from portal import page_cache

        page_cache.register_hole(panel.HOLE, panel.fill)
        page_cache.register_hole(panel.PRESENCE_HOLE, panel.fill_presence)

        # A user's open sanctions live in their cached entry (portal/user_cache.py).
        from django.db.models.signals import post_delete, post_save

        from chat.models import Sanction
        from chat.services.messages import open_sanctions
        from portal import user_cache

        user_cache.register_fact("chat-sanctions", open_sanctions)
        post_save.connect(_sanction_changed, sender=Sanction, dispatch_uid="chat-user-cache-sanction-save")
        post_delete.connect(_sanction_changed, sender=Sanction, dispatch_uid="chat-user-cache-sanction-delete")


def _sanction_changed(sender, instance, **kwargs):
    from portal import user_cache

    user_cache.bump_user(instance.user_id)
