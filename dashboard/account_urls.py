from django.urls import path

from dashboard import views

app_name = "accounts"
urlpatterns = [
    path("", views.account_list, name="list"),
    path("connect/", views.connect_start, name="connect"),
    path("connect/callback/", views.connect_callback, name="callback"),
    path("<int:pk>/disconnect/", views.disconnect, name="disconnect"),
    path("<int:pk>/access/", views.account_access, name="access"),
    path("<int:pk>/members/", views.group_member_add, name="member_add"),
    path("<int:pk>/access/<int:grant_pk>/role/", views.grant_change, name="grant_change"),
    path("<int:pk>/access/<int:grant_pk>/revoke/", views.grant_revoke, name="grant_revoke"),
    path("agency/<int:pk>/", views.agency_detail, name="agency"),
    path("agency/<int:pk>/staff/<int:user_pk>/remove/", views.staff_remove, name="staff_remove"),
]
