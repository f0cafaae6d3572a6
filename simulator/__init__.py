"""An OpenAI-compatible LLM *simulator* for demos, tests and benchmarks.

It speaks the chat-completions HTTP API for real (``POST /v1/chat/completions``,
``GET /v1/models``) but is not a model: the ``sim-*`` models in
``simulator.sim_models`` answer with deterministic heuristics, so a demo
leaderboard has a stable, meaningful order and tests can assert exact output.

For exercising the engine it adds what real endpoints do to clients: latency
with jitter (per model too), 429s with ``Retry-After``, 500s, hung requests
and malformed bodies, injected at configured rates from a seeded RNG; a
context length (longer prompts get OpenAI's 400 ``context_length_exceeded``);
and llama-cpp-python's habit of answering request validation errors with a
500. ``GET /stats`` counts what happened and ``GET/POST /config`` changes
these settings live.

Run it with ``python manage.py simulate_llm`` or, in tests, with
``simulator.server.SimulatorServer`` (uvicorn in a daemon thread).

The modules: ``config`` (the settings and their checks), ``protocol`` (request
validation, completion and error bodies), ``asgi`` (raw ASGI plumbing),
``app`` (the ASGI app: routing, faults, stats), ``server`` (running it),
``sim_models``, ``entities`` and ``normaliser`` (the simulated models),
``world`` (models with a known quality per config, for benchmarks). It
imports nothing from the rest of the project, and this package imports nothing
heavy on its own: Django loads it as an app in every process.
"""
