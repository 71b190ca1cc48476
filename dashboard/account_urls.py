from django.urls import path

from dashboard import views

app_name = "accounts"
urlpatterns = [
    path("", views.account_list, name="list"),
    path("connect/", views.connect_start, name="connect"),
    path("connect/callback/", views.connect_callback, name="callback"),
    path("<int:pk>/disconnect/", views.disconnect, name="disconnect"),
]
