"""The user's settings: opt-in alerts, discreet wording and the calendar feed link."""

from copy import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from dashboard import services
from dashboard.forms import PreferencesForm
from dashboard.models import preferences_of


@login_required
@never_cache  # the page shows the calendar link, a secret: no copy kept on the way
@require_http_methods(["GET", "HEAD", "POST"])
def preferences_edit(request: HttpRequest) -> HttpResponse:
    saved = preferences_of(request.user)
    # A copy: validation writes the submitted values onto the form's instance, and the page
    # must still tell what is saved (the notification button) when the form has an error.
    form = PreferencesForm(request.POST or None, instance=copy(saved))
    if request.method == "POST" and form.is_valid():
        services.preferences_save(user=request.user, **form.cleaned_data)
        messages.success(request, "Your settings are saved.")
        return redirect("preferences:edit")
    calendar_url = ""
    if saved.calendar_token:
        # By name only: the feed is a bookings view, and dashboard never imports bookings.
        calendar_url = request.build_absolute_uri(
            reverse("bookings:calendar_feed", kwargs={"token": saved.calendar_token})
        )
    return render(
        request,
        "dashboard/preferences.html",
        {"form": form, "preferences": saved, "calendar_url": calendar_url},
    )


@login_required
@require_POST
def calendar_issue(request: HttpRequest) -> HttpResponse:
    replacing = bool(preferences_of(request.user).calendar_token)
    services.calendar_link_issue(user=request.user)
    if replacing:
        messages.success(request, "Your calendar link is replaced: the old one no longer works.")
    else:
        messages.success(request, "Your calendar link is ready: copy it into your calendar app.")
    return redirect("preferences:edit")


@login_required
@require_POST
def calendar_revoke(request: HttpRequest) -> HttpResponse:
    services.calendar_link_revoke(user=request.user)
    messages.success(request, "Your calendar link is off: calendars that use it stop updating.")
    return redirect("preferences:edit")
