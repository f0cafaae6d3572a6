"""The spec's dataset: exactly one source (a stored name, inline items, or a
file the command line reads), and its ``limit``."""

from __future__ import annotations

from pathlib import Path

from experiments.dataset_io import DatasetFileError, ItemData, load_dataset_file
from experiments.spec.validator.base import Checker


def dataset(check: Checker) -> dict:
    """The dataset section as given; sets ``check.items`` (after ``limit``)
    and ``check.all_items``, which the templates are checked against."""
    spec = check.doc.get("dataset")
    if not isinstance(spec, dict):
        return {}
    if check.context.dataset_file is not None:
        kept = {"limit": spec["limit"]} if "limit" in spec else {}
        spec = {"file": str(check.context.dataset_file), **kept}
        check.context.allow_file = True
    sources = [key for key in ("name", "items", "file") if key in spec]
    if len(sources) != 1:
        check.error(
            "dataset",
            "give exactly one of name, items or file"
            + (f" (got {', '.join(sources)})" if sources else ""),
        )
        return spec  # with the error: read no further
    source = sources[0]
    if source == "name" and isinstance(spec["name"], str):
        items = check.context.datasets(spec["name"])
        if items is None:
            check.error(
                "dataset.name",
                f'no dataset "{spec["name"]}" in project "{check.project}"',
            )
        else:
            check.items = items
    elif source == "items" and isinstance(spec["items"], list):
        check.items = [
            ItemData(i["input"], i.get("expected"), list(i.get("tags", [])))
            for i in spec["items"]
            if isinstance(i, dict) and isinstance(i.get("input"), dict)
        ]
    elif source == "file" and isinstance(spec["file"], str):
        if not check.context.allow_file:
            check.error(
                "dataset.file",
                "a file is only read by the command line; upload the dataset "
                "and refer to it by name, or give the items inline",
            )
        else:
            check.items = _load_file(check, spec["file"])
    check.all_items = check.items
    limit = spec.get("limit")
    if isinstance(limit, int) and limit >= 1:
        check.items = check.items[:limit]
    return spec


def _load_file(check: Checker, name: str) -> list[ItemData]:
    path = Path(name)
    if not path.is_absolute():
        path = check.context.base_dir / path
    try:
        return load_dataset_file(path)
    except DatasetFileError as exc:
        for row in exc.errors:
            check.error("dataset.file", f"{path.name}: {row}")
        return []
