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
