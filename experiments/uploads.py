"""An upload handler that bounds uploaded files as Django bounds other fields.

Django checks ``DATA_UPLOAD_MAX_MEMORY_SIZE`` only for the non-file parts of a
request; a dataset file of any size would be streamed to disk and parsed. This
handler runs first and refuses a request as soon as its files pass the limit
(``PROMPTLOOPER_MAX_UPLOAD_MB``), answered as 413 by the API.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler


class BoundedUploadHandler(FileUploadHandler):
    def __init__(self, request=None) -> None:
        super().__init__(request)
        self.received = 0

    def _check(self, size: int | None) -> None:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and size is not None and size > limit:
            raise RequestDataTooBig(
                "Upload exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE."
            )

    def handle_raw_input(
        self, input_data, META, content_length, boundary, encoding=None
    ) -> None:
        self._check(content_length)  # refused before anything is read

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        # Content-Length may be absent (chunked) or lie: count what arrives.
        self.received += len(raw_data)
        self._check(self.received)
        return raw_data  # the next handler stores it

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler builds the file
