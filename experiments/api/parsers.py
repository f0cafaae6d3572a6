"""The API's JSON body parser: bounded in size, nesting and numbers.

DRF reads a JSON body straight from the request stream, where Django's
``DATA_UPLOAD_MAX_MEMORY_SIZE`` is never checked, and ``json.load`` lets
through what later fails as a server error (10 000 nested lists, 1e400).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from experiments import safe_json


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(body) > limit:
            # errors.py answers it as 413, as Django's own check would be.
            raise RequestDataTooBig(
                "Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE."
            )
        encoding = (parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET
        try:
            return safe_json.loads(body.decode(encoding))
        except ValueError as exc:  # bad JSON, too deep, bad number, bad bytes
            raise ParseError(f"JSON parse error - {exc}") from None
