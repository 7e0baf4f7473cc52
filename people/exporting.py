"""Opted-in people in the static export and the sitemap (portal.public.register_public_paths):
only public profiles (people/profiles.py), never anyone who has not opted in."""

from django.urls import reverse

from people.profiles import public_profiles
from portal.public import register_public_paths


def people_paths():
    yield reverse("people:index")
    for user_id in public_profiles().order_by("user_id").values_list("user_id", flat=True).iterator():
        yield reverse("people:profile", args=[user_id])


def register():
    register_public_paths("people", people_paths)
