"""A circuit breaker per endpoint: a dead server fails fast, not slowly.

Without it every remaining run of a sweep whose server died goes through the
whole retry schedule. After ``threshold`` connection failures in a row the
circuit opens: the next request is a probe and the others wait for it. If the
probe connects (any HTTP answer), the circuit closes and they go; if not,
they and every request for ``reset_s`` fail at once with the reason, and
then the next request probes again.
"""

from __future__ import annotations

import asyncio
import time

from adapters.base import AdapterError

CLOSED, OPEN, PROBING, BROKEN = "closed", "open", "probing", "broken"


def is_connection_failure(exc: BaseException) -> bool:
    """The server could not be reached (refused, reset, no connection in
    time); a slow answer or an HTTP error means it is alive."""
    return isinstance(exc, AdapterError) and exc.kind == "connect"


class CircuitBreaker:
    def __init__(self, name: str, threshold: int = 5, reset_s: float = 30.0):
        self.name = name
        self.threshold = max(1, threshold)
        self.reset_s = reset_s
        self.state = CLOSED
        self.failures = 0
        self.reason = ""
        self.broken_at = 0.0
        self.probe: asyncio.Future | None = None  # set while a probe is out

    def admit(self) -> asyncio.Future | None:
        """Call right before sending (synchronously, no await in between).
        None: send (as the probe when the circuit is open). A future: a probe
        is out; wait for it, holding no slot, then ask again. Raises a
        non-retryable ``AdapterError`` (nothing sent) while it is broken."""
        if self.state == CLOSED:
            return None
        if self.state == PROBING:
            return self.probe
        if self.state == BROKEN and time.monotonic() - self.broken_at < self.reset_s:
            raise AdapterError(
                f"not sent: {self.name} is unreachable ({self.reason})",
                retryable=False,
                kind="unreachable",
                sent=False,
            )
        self.state = PROBING  # OPEN, or BROKEN long enough: probe again
        self.probe = asyncio.get_running_loop().create_future()
        return None

    def record(self, exc: BaseException | None) -> None:
        """The outcome of a request that was sent (None: it succeeded)."""
        probing = self.state == PROBING
        if exc is None or not is_connection_failure(exc):
            self.state, self.failures = CLOSED, 0
        else:
            self.failures += 1
            self.reason = f"{self.failures} connection failures in a row: {exc}"
            if probing:
                self.state, self.broken_at = BROKEN, time.monotonic()
            elif self.state == CLOSED and self.failures >= self.threshold:
                self.state = OPEN
        if probing and self.state != PROBING:
            self._wake()

    def abandon(self) -> None:
        """A probe that never got an answer (cancelled): let another probe."""
        if self.state == PROBING:
            self.state = OPEN
            self._wake()

    def _wake(self) -> None:
        probe, self.probe = self.probe, None
        if probe is not None and not probe.done():
            probe.set_result(None)
