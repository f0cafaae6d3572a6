"""Small builders for test data; each returns saved rows."""

from __future__ import annotations

from experiments.dataset_io import ItemData
from experiments.models import Dataset, Project
from experiments.services import replace_items


def make_dataset(project: Project, name: str = "passages", n: int = 3) -> Dataset:
    dataset = Dataset.objects.create(project=project, name=name)
    replace_items(
        dataset,
        [
            ItemData({"passage": f"Person {i} visited Paris."}, {"places": ["Paris"]})
            for i in range(n)
        ],
    )
    return dataset


def spec_doc(**overrides) -> dict:
    """A small valid spec with inline items; override any top-level field."""
    doc = {
        "name": "extract",
        "project": "acme",
        "endpoints": [{"name": "local", "base_url": "http://127.0.0.1:8499/v1"}],
        "dataset": {
            "items": [
                {
                    "input": {"passage": "Ada met Charles in London."},
                    "expected": {"people": ["Ada", "Charles"], "places": ["London"]},
                },
                {
                    "input": {"passage": "Marie worked in Paris."},
                    "expected": {"people": ["Marie"], "places": ["Paris"]},
                },
            ]
        },
        "prompts": [
            {
                "name": "terse",
                "messages": [
                    {"role": "system", "content": "Extract entities as JSON."},
                    {"role": "user", "content": "{{ passage }}"},
                ],
            },
            {"name": "short", "template": "Text: {{ passage }}\nJSON:"},
        ],
        "models": [
            {"endpoint": "local", "model": "m1"},
            {"endpoint": "local", "model": "m2"},
        ],
        "params": {"temperature": [0.0, 0.7], "max_tokens": 64},
        "scorers": [{"type": "json_valid"}, {"type": "json_f1", "field": "people"}],
    }
    doc.update(overrides)
    return doc
