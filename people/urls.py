"""Pages of meeting people (mounted at the site root by portal/urls.py)."""

from django.urls import path

from people import views

app_name = "people"

urlpatterns = [
    path("people/", views.people_list, name="index"),
    path("people/around/", views.around, name="around"),
    path("people/<int:user_id>/", views.profile_page, name="profile"),
    path("people/<int:user_id>/introduce/", views.introduce, name="introduce"),
    path("people/<int:user_id>/block/", views.block, name="block"),
    path("people/<int:user_id>/unblock/", views.unblock, name="unblock"),
    path("people/<int:user_id>/report/", views.report, name="report"),
    path("me/people/", views.my_people, name="mine"),
    path("me/questions/", views.my_questions, name="my_questions"),
    path("me/introductions/<int:intro_id>/answer/", views.answer_introduction, name="answer_introduction"),
    path("me/meet/", views.meet, name="meet"),
    path("me/meet/join/", views.meet_join, name="meet_join"),
    path("me/meet/leave/", views.meet_leave, name="meet_leave"),
    path("me/meet/answer/", views.meet_answer, name="meet_answer"),
]
