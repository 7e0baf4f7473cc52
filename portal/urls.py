from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from portal import state, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("time-zone/", views.time_zone_page, name="time_zone"),
    path("time-zone/set/", views.set_time_zone, name="set_time_zone"),
    path("code-of-conduct/", views.code_of_conduct, name="code_of_conduct"),
    path("help/", views.help_page, name="help"),
    path("me/profile/", views.profile, name="profile"),
    path("me/state.json", state.state_json, name="state"),
    path("me/call/<str:key>/", state.call_link, name="call_link"),
    path("accounts/", include("allauth.urls")),
    # Each app owns its URLs; the paths inside them are absolute (/papers/, /schedule/, ...).
    path("", include("schedule.urls")),
    path("", include("posters.urls")),
    path("", include("keynotes.urls")),
    path("", include("booths.urls")),
    path("", include("people.urls")),
    path("", include("chat.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("portal.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # ReDoc (templates/drf_spectacular/redoc.html: no inline script, a lang): Swagger UI
    # nests buttons in buttons and fails contrast, which no theme of ours can fix (issue 14).
    path("api/docs/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", RedirectView.as_view(pattern_name="api-docs", permanent=True), name="api-redoc"),
]

handler403 = "portal.views.error_403"
handler404 = "portal.views.error_404"
handler500 = "portal.views.error_500"
