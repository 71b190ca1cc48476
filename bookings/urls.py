from django.urls import path, register_converter

from bookings import views


class ServiceConverter:
    regex = "webcam|phonechat"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class DirectionConverter(ServiceConverter):
    regex = "received|made"


register_converter(ServiceConverter, "service")
register_converter(DirectionConverter, "direction")

app_name = "bookings"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<service:service>/<direction:direction>/", views.booking_list, name="list"),
]
