from django.urls import path, register_converter

from bookings import calendar_views, earnings_views, feed_views, push_views, views
from bookings.rules import Action


class ServiceConverter:
    regex = "webcam|phonechat"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class DirectionConverter(ServiceConverter):
    regex = "received|made"


class ActionConverter(ServiceConverter):
    regex = "|".join(Action)


register_converter(ServiceConverter, "service")
register_converter(DirectionConverter, "direction")
register_converter(ActionConverter, "action")

app_name = "bookings"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<service:service>/<direction:direction>/", views.booking_list, name="list"),
    path("<int:pk>/", views.booking_detail, name="detail"),
    path("<int:pk>/<action:action>/", views.booking_action, name="action"),
    path("delete/", views.bookings_delete, name="delete"),
    path("sync/", views.sync_now, name="sync"),
    path("audit/", views.audit_log, name="audit"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
    path("calendar/<str:token>.ics", feed_views.calendar_feed, name="calendar_feed"),
    path("push/subscribe/", push_views.push_subscribe, name="push_subscribe"),
    path("push/unsubscribe/", push_views.push_unsubscribe, name="push_unsubscribe"),
    path("calendar/", calendar_views.calendar, name="calendar"),
    path("earnings/", earnings_views.earnings_all, name="earnings"),
    path("earnings/account/<int:pk>/", earnings_views.earnings_account, name="earnings_account"),
    path("earnings/agency/<int:pk>/", earnings_views.earnings_agency, name="earnings_agency"),
]
