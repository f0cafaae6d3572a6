"""Live sweeps, the delivery side: WebSocket consumers (``consumers``), the
log follower of single-container mode (``follower``), the long poll behind
``GET /api/sweeps/<id>/events/`` (``longpoll``) and the callers' credentials
(``auth``). What is sent, and when, is ``experiments.engine.events``."""
