from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="bookings:inbox"), name="home"),
    path(
        "sign-in/",
        auth_views.LoginView.as_view(
            template_name="dashboard/sign_in.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("dashboard.account_urls")),
    path("bookings/", include("bookings.urls")),
    path("admin/", admin.site.urls),
]
