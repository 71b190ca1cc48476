from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from dashboard import pwa_views
from dashboard.forms import NewPasswordForm, ResetPasswordForm, SignInForm
from dashboard.health import healthz

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="bookings:inbox"), name="home"),
    path(
        "sign-in/",
        auth_views.LoginView.as_view(
            template_name="dashboard/sign_in.html",
            authentication_form=SignInForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name="dashboard/password_reset.html", form_class=ResetPasswordForm
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="dashboard/password_reset_sent.html"
        ),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="dashboard/password_reset_confirm.html", form_class=NewPasswordForm
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="dashboard/password_reset_done.html"
        ),
        name="password_reset_complete",
    ),
    path("accounts/", include("dashboard.account_urls")),
    path("settings/", include("dashboard.preference_urls")),
    path("bookings/", include("bookings.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    # The installable app: at the root, so that the service worker's scope is the whole site.
    path("manifest.webmanifest", pwa_views.manifest, name="manifest"),
    path("sw.js", pwa_views.service_worker, name="service_worker"),
    path("offline/", pwa_views.offline, name="offline"),
]
