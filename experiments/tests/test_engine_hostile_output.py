"""A server's answer is data the engine stores: whatever bytes a model sends
back, the sweep records them (PostgreSQL refuses NUL in text and JSONB)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from experiments.models import Run
from experiments.tests.engine_helpers import extraction_spec, run

pytestmark = pytest.mark.django_db(transaction=True)

NUL_ANSWER = {
    "id": "x\u0000y",
    "model": "sim-extractor",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": '{"people": ["A\u0000da"]}'},
            "finish_reason": "stop",
        }
    ],
    "usage": {"prompt_tokens": 3, "completion_tokens": 4},
    "x_\u0000extra": ["\u0000"],
}


class _NulServer(BaseHTTPRequestHandler):
    status = 200

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        body = json.dumps(NUL_ANSWER).encode()  # NUL as \u0000, valid JSON
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def nul_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NulServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_an_answer_with_nul_characters_is_stored_with_them_replaced(
    project, nul_server
):
    spec = extraction_spec(
        nul_server,
        n_items=2,
        models=[{"endpoint": "sim", "model": "sim-extractor"}],
        params={},
    )
    sweep = run(spec)
    assert (sweep.status, sweep.done, sweep.errors) == ("completed", 2, 0)
    run_row = Run.objects.filter(sweep=sweep).first()
    assert run_row.output_text == '{"people": ["A\ufffdda"]}'
    assert "\u0000" not in json.dumps(run_row.raw_response, ensure_ascii=False)


def test_an_error_answer_with_nul_characters_is_recorded_on_its_run(
    project, make_simulator, nul_server
):
    NUL_ANSWER_BACKUP = dict(NUL_ANSWER)
    try:
        NUL_ANSWER.clear()
        NUL_ANSWER.update({"error": {"message": "bad \u0000 input", "code": None}})
        _NulServer.status = 400
        spec = extraction_spec(
            nul_server,
            n_items=1,
            models=[{"endpoint": "sim", "model": "sim-extractor"}],
            params={},
        )
        sweep = run(spec)
    finally:
        NUL_ANSWER.clear()
        NUL_ANSWER.update(NUL_ANSWER_BACKUP)
        _NulServer.status = 200
    assert (sweep.status, sweep.errors) == ("failed", 1)
    assert Run.objects.get(sweep=sweep).error_message == "HTTP 400: bad \ufffd input"
