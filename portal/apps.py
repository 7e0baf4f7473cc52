from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        from allauth.account.signals import user_logged_in
        from django.db.models.signals import post_delete

        from portal.models import Conference, bump_conference
        from portal.timezones import zone_on_login

        post_delete.connect(bump_conference, sender=Conference, dispatch_uid="portal-conference-delete")
        user_logged_in.connect(zone_on_login, dispatch_uid="portal-zone-on-login")

        from portal.public import register_public_paths

        register_public_paths("portal", _portal_paths)
        register_public_paths("portal-api", _api_paths, sitemap=False)


def _portal_paths():
    from django.urls import reverse

    yield from (reverse("home"), reverse("code_of_conduct"), reverse("help"))


def _api_paths():
    from django.urls import reverse

    yield reverse("api-conference")
