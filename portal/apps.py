from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        from portal import page_cache
        from portal.templatetags.portal_nav import account_nav_html

        page_cache.register_hole("account-nav", lambda request, arg: account_nav_html(request))
        # Pages rendered for every zone (page_cache's zone_free) leave the zone to these.
        from portal.context_processors import fill_zone
        from portal.templatetags.portal_time import LOCAL_HOLE, fill_local

        page_cache.register_hole(page_cache.ZONE_HOLE, fill_zone)
        page_cache.register_hole(LOCAL_HOLE, fill_local)

        # The logged-in visitor's cached entry (portal/user_cache.py) goes stale with these.
        from django.contrib.auth.models import Group
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from portal import user_cache
        from portal.models import Conference, RegisteredEmail, User, bump_conference, roles_loaded

        def user_changed(sender, instance, **kwargs):
            user_cache.bump_user(instance.pk)

        roles_loaded.connect(
            lambda sender, user, **kwargs: user_cache.remember_roles(user), weak=False, dispatch_uid="portal-user-roles"
        )

        post_save.connect(user_changed, sender=User, dispatch_uid="portal-user-cache-user-save", weak=False)
        post_delete.connect(user_changed, sender=User, dispatch_uid="portal-user-cache-user-delete", weak=False)
        # Roles follow verified addresses: confirming one (allauth saves the row) or
        # removing one changes them at once, with no need to log in again.
        from allauth.account.models import EmailAddress

        def address_changed(sender, instance, **kwargs):
            user_cache.bump_user(instance.user_id)

        for signal, name in ((post_save, "save"), (post_delete, "delete")):
            signal.connect(
                address_changed, sender=EmailAddress, dispatch_uid=f"portal-user-cache-address-{name}", weak=False
            )
        for model in (RegisteredEmail, Group):
            post_save.connect(
                user_cache.bump_all, sender=model, dispatch_uid=f"portal-user-cache-{model.__name__}-save"
            )
            post_delete.connect(
                user_cache.bump_all, sender=model, dispatch_uid=f"portal-user-cache-{model.__name__}-delete"
            )
        m2m_changed.connect(user_cache.bump_all, sender=User.groups.through, dispatch_uid="portal-user-cache-groups")
        post_delete.connect(bump_conference, sender=Conference, dispatch_uid="portal-conference-delete")
