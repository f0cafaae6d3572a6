"""WebSocket routes: the live sweep streams (experiments/live/consumers.py).
Ids are digits of any length: one no row can have is refused like a sweep
that does not exist (``parse_id``)."""

from django.urls import URLPattern, re_path

from experiments.live.consumers import ProjectConsumer, SweepConsumer

websocket_urlpatterns: list[URLPattern] = [
    re_path(r"^ws/sweeps/(?P<pk>[0-9]+)/$", SweepConsumer.as_asgi()),
    re_path(r"^ws/projects/(?P<pk>[0-9]+)/$", ProjectConsumer.as_asgi()),
]
