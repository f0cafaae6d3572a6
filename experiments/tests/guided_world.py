"""A small simulator world for guided search, whose optimum is known: the
extractor model with a prompt that shows it the passage."""

from __future__ import annotations

from experiments.models import Run, Sweep, SweepEvent
from experiments.tests.engine_helpers import extraction_spec

GOOD_PROMPTS = {"plain", "labelled"}
PRICES = {
    "sim-extractor": 10.0,
    "sim-sloppy": 1.0,
    "sim-echo": 0.1,
    "sim-thorough": 2.0,
}


PAIRS = [
    ("Ada Lovelace", "Charles Babbage", "London"),
    ("Marie Curie", "Pierre Curie", "Paris"),
    ("Alan Turing", "Joan Clarke", "Manchester"),
    ("Grace Hopper", "Howard Aiken", "Boston"),
    ("Emmy Noether", "David Hilbert", "Berlin"),
    ("Niels Bohr", "Lise Meitner", "Copenhagen"),
    ("Rosalind Franklin", "Maurice Wilkins", "Cambridge"),
    ("Isaac Newton", "Edmond Halley", "Oxford"),
    ("Carl Gauss", "Sophie Germain", "Vienna"),
]


def world(
    base_url: str,
    temperatures=(0.0, 0.25, 0.5, 0.75, 1.0),
    concurrency: int = 8,
    **strategy,
) -> dict:
    """3 prompts x 4 models x 5 temperatures = 60 configs, 9 items: a grid
    of 540 runs. Only the extractor, shown the passage, gets every name
    (it ignores the temperature: 10 configs tie for the optimum)."""
    items = [
        {
            "input": {"passage": f"{a} met {b} in {place}."},
            "expected": {"people": [a, b], "places": [place]},
        }
        for a, b, place in PAIRS
    ]
    return extraction_spec(
        base_url,
        dataset={"items": items},
        # The best extractor costs the most: cost and score pull apart.
        endpoints=[
            {
                "name": "sim",
                "base_url": base_url,
                "max_concurrency": 16,
                "prices": {
                    model: {"input_per_mtok": price, "output_per_mtok": 2 * price}
                    for model, price in PRICES.items()
                },
            }
        ],
        prompts=[
            {"name": "plain", "template": "Text: {{ passage }}"},
            {"name": "labelled", "template": "Passage: {{ passage }}"},
            {"name": "blind", "template": "Extract the names."},
        ],
        models=[{"endpoint": "sim", "model": m} for m in PRICES],
        params={"temperature": list(temperatures)},
        scorers=[
            {"type": "json_valid"},
            {"type": "json_f1", "field": "people"},
            {"type": "json_f1", "field": "places"},
        ],
        strategy={
            k: v
            for k, v in {"type": "guided", "budget": 60, "seed": 7, **strategy}.items()
            if v is not None  # budget=None: a grid of the whole space
        },
        concurrency=concurrency,
    )


def rungs(sweep: Sweep) -> list[dict]:
    """The sweep's ``guided.rung`` payloads, in order."""
    events = SweepEvent.objects.filter(sweep=sweep, type="guided.rung")
    return [e.payload for e in events.order_by("seq")]


def pick(sweep: Sweep) -> dict:
    """The final pick's config, as its runs store it."""
    best = rungs(sweep)[-1]["best"]
    return Run.objects.filter(sweep=sweep, config_hash=best["id"]).first().config


def decisions(sweep: Sweep) -> list[tuple]:
    """What each rung decided: who went on, who stopped."""
    return [
        (
            r["bracket"],
            r["rung"],
            r["items"],
            [c["id"] for c in r["promoted"]],
            [c["id"] for c in r["dropped"]],
        )
        for r in rungs(sweep)
    ]
