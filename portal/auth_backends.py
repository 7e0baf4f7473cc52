"""The authentication backends: Django's and allauth's, reading the logged-in visitor's row
by a prepared statement (portal.prepared).

Every request of a logged-in visitor reads their row (`request.user`); `/me/state.json`
makes one on every page view. Through the ORM (`ModelBackend.get_user`) that read was a
third of the request's CPU; prepared, the state request went from about 1,000 to about
1,500 req/s through nginx on one 2-core machine (docs/benchmarks.md, 2026-12-07).

A session names the backend that logged its visitor in, and Django accepts only backends
listed in AUTHENTICATION_BACKENDS: sessions made before these replaced Django's and
allauth's own (`django.contrib.auth.backends.ModelBackend`,
`allauth.account.auth_backends.AuthenticationBackend`) ask their visitor to log in again.
"""

from allauth.account import auth_backends as allauth_backends
from asgiref.sync import sync_to_async
from django.contrib.auth import backends as django_backends

from portal.models import User
from portal.prepared import PK_MARKER, PreparedQuery

USER_ROW = PreparedQuery("portal_auth_user", lambda pk: User.objects.filter(pk=pk).order_by(), [(PK_MARKER, "bigint")])


class PreparedUserMixin:
    def get_user(self, user_id):
        found = USER_ROW.instances(user_id)
        return found[0] if found and self.user_can_authenticate(found[0]) else None

    async def aget_user(self, user_id):
        return await sync_to_async(self.get_user)(user_id)


class ModelBackend(PreparedUserMixin, django_backends.ModelBackend):
    """Django's: an e-mail address and password (admin's log-in, the test client)."""


class AuthenticationBackend(PreparedUserMixin, allauth_backends.AuthenticationBackend):
    """allauth's: the site's log-in, sign-up and e-mail confirmation."""
