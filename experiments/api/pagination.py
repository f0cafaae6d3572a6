from __future__ import annotations

import base64
import json

from django.db.models import F, Q
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class RunKeysetPagination(pagination.BasePagination):
    """Runs in cursor pages sorted by any column (``ordering=-score``), ties
    and nulls included: the cursor holds the last row's (value, id), so a
    page is one query that skips no rows by OFFSET, whatever its depth
    (DRF's CursorPagination counts an OFFSET through ties, and a scorer's
    scores tie by the thousand). Nulls come last either way."""

    page_size = 100
    max_page_size = 1000
    ORDERINGS = (
        "id",
        "score",
        "latency_ms",
        "cost",
        "prompt_tokens",
        "completion_tokens",
        "status",
        "cache_hit",
        "item",
        "sample_index",
        "config_hash",
        "error_kind",
        "finished_at",
    )

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.field, self.descending = self._ordering(request)
        size = self._page_size(request)
        position = self._cursor(request)
        backwards = bool(position and position.get("back"))
        rows = queryset.order_by(*self._order(backwards))
        if position:
            rows = rows.filter(self._beyond(position["v"], position["i"], backwards))
        page = list(rows[: size + 1])
        more = len(page) > size
        page = page[:size]
        if backwards:
            page.reverse()
            self.has_next, self.has_previous = True, more
        else:
            self.has_next, self.has_previous = more, bool(position)
        self.page = page
        return page

    def get_paginated_response(self, data):
        return Response(
            {
                "next": self._link(-1, False) if self.has_next else None,
                "previous": self._link(0, True) if self.has_previous else None,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }

    def get_schema_operation_parameters(self, view):
        text = lambda description: {"type": "string", "description": description}  # noqa: E731
        return [
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "schema": text("The page: the next or previous link's cursor."),
            },
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                },
            },
            {
                "name": "ordering",
                "in": "query",
                "required": False,
                "schema": {
                    "type": "string",
                    "enum": [
                        f"{sign}{name}" for name in self.ORDERINGS for sign in ("", "-")
                    ],
                    "description": "Sort column, '-' for descending; nulls last.",
                },
            },
        ]

    def _ordering(self, request) -> tuple[str, bool]:
        given = request.query_params.get("ordering", "id") or "id"
        name = given.removeprefix("-")
        if name not in self.ORDERINGS:
            names = ", ".join(self.ORDERINGS)
            raise ValidationError(
                {"ordering": [f"{given!r}: one of {names} ('-' first: descending)"]}
            )
        return name, given.startswith("-")

    def _page_size(self, request) -> int:
        given = request.query_params.get("page_size")
        if given is None:
            return self.page_size
        try:
            size = int(given)
        except ValueError:
            size = 0
        if size < 1:
            raise ValidationError({"page_size": ["A whole number of at least 1."]})
        return min(size, self.max_page_size)

    def _cursor(self, request) -> dict | None:
        given = request.query_params.get("cursor")
        if not given:
            return None
        try:
            padded = given + "=" * (-len(given) % 4)  # shortened by hand or tools
            position = json.loads(base64.urlsafe_b64decode(padded.encode()))
            assert isinstance(position, dict) and isinstance(position["i"], int)
            assert position.get("o") == f"{'-' if self.descending else ''}{self.field}"
        except (ValueError, KeyError, TypeError, AssertionError) as error:
            raise ValidationError(
                {"cursor": ["Not a cursor of this list and ordering."]}
            ) from error
        return position

    def _order(self, backwards: bool) -> list:
        descending = self.descending != backwards
        column = F(self.field)
        if self.field == "id":
            return [column.desc() if descending else column.asc()]
        # Nulls last when reading forwards, so first when reading backwards.
        nulls = {"nulls_first": True} if backwards else {"nulls_last": True}
        key = column.desc(**nulls) if descending else column.asc(**nulls)
        return [key, F("id").desc() if backwards else F("id").asc()]

    def _beyond(self, value, last_id: int, backwards: bool) -> Q:
        """The rows after (value, id) in the page's direction of reading."""
        if self.field == "id":
            later = self.descending == backwards
            return Q(id__gt=last_id) if later else Q(id__lt=last_id)
        field, tie_id = self.field, ("id__lt" if backwards else "id__gt")
        null = Q(**{f"{field}__isnull": True})
        if value is None:
            same = null & Q(**{tie_id: last_id})
            return same if not backwards else same | ~null
        past = f"{field}__{'lt' if self.descending != backwards else 'gt'}"
        same = Q(**{field: value}) & Q(**{tie_id: last_id})
        ahead = Q(**{past: value}) | same
        return ahead | null if not backwards else ahead & ~null

    def _link(self, index: int, back: bool) -> str:
        row = self.page[index]
        value = getattr(row, f"{self.field}_id" if self.field == "item" else self.field)
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        order = f"{'-' if self.descending else ''}{self.field}"
        position = {
            "v": value,
            "i": row.pk,
            "o": order,
            **({"back": 1} if back else {}),
        }
        cursor = base64.urlsafe_b64encode(json.dumps(position).encode()).decode()
        return replace_query_param(self.request.build_absolute_uri(), "cursor", cursor)
