"""Middleware of the portal's own (the viewer's zone is in portal/timezones.py)."""

from portal.models import _request_memo


class ConferencePerRequestMiddleware:
    """`Conference.get()` reads the database once per request, however many places ask
    (the page's context, call-link rules, release rules). A conference saved during the
    request replaces the memo; the next request reads afresh."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_memo.set({})
        try:
            return self.get_response(request)
        finally:
            _request_memo.reset(token)
