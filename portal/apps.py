from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        from portal import page_cache
        from portal.templatetags.portal_nav import account_nav_html

        page_cache.register_hole("account-nav", lambda request, arg: account_nav_html(request))
