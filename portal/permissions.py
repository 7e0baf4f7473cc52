from django.conf import settings
from rest_framework.permissions import BasePermission


class CanBrowse(BasePermission):
    """The minimum viable conference is public unless PORTAL_PUBLIC_BROWSING is off."""

    message = "Log in to browse this conference."

    def has_permission(self, request, view):
        return settings.PORTAL_PUBLIC_BROWSING or request.user.is_authenticated
