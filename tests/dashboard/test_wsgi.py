"""dashboard.wsgi: the entry point gunicorn serves (see the Procfile)."""

import json
from wsgiref.util import setup_testing_defaults


def test_the_wsgi_entry_point_serves_the_site() -> None:
    from dashboard.wsgi import application

    environ = {"PATH_INFO": "/manifest.webmanifest", "REQUEST_METHOD": "GET"}
    setup_testing_defaults(environ)
    statuses = []

    def start_response(status, headers, exc_info=None):
        statuses.append(status)

    body = b"".join(application(environ, start_response))

    assert statuses == ["200 OK"]
    assert json.loads(body)["start_url"] == "/"
