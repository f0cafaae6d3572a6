"""WebSocket routes; the live sweep stream joins these with the dashboard."""

from django.urls import URLPattern

websocket_urlpatterns: list[URLPattern] = []
