"""The sweep engine: planner (what to run), cache, runner (how to run it)."""
