from django.urls import path

from dashboard import preference_views

app_name = "preferences"
urlpatterns = [
    path("", preference_views.preferences_edit, name="edit"),
    path("calendar/issue/", preference_views.calendar_issue, name="calendar_issue"),
    path("calendar/revoke/", preference_views.calendar_revoke, name="calendar_revoke"),
]
