from django.urls import path

from people import api

urlpatterns = [
    path("people/", api.PeopleList.as_view(), name="api-people"),
]
