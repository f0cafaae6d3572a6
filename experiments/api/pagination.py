from __future__ import annotations

from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class RunCursorPagination(pagination.CursorPagination):
    """Runs page by id, so page 2,000 of a 100k-run sweep costs what page 1
    does (no OFFSET)."""

    ordering = "id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
