from __future__ import annotations

import json
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Max, Q, QuerySet

from experiments.dataset_io import ItemData
from experiments.db_functions import JsonFold
from experiments.models import Dataset, DatasetItem, Run
from experiments.models.datasets import item_hash


@dataclass(frozen=True)
class ImportResult:
    added: int
    kept: int = 0
    archived: int = 0
    deleted: int = 0


def _build(dataset: Dataset, position: int, item: ItemData) -> DatasetItem:
    # bulk_create skips save(), so the hash is set here.
    return DatasetItem(
        dataset=dataset,
        position=position,
        input=item.input,
        expected=item.expected,
        tags=list(item.tags),
        content_hash=item_hash(item.input, item.expected, list(item.tags)),
    )


@transaction.atomic
def import_items(dataset: Dataset, items: list[ItemData]) -> ImportResult:
    """Append ``items`` after the dataset's current items (all or nothing)."""
    start = dataset.items.filter(archived=False).aggregate(m=Max("position"))["m"]
    first = 0 if start is None else start + 1
    DatasetItem.objects.bulk_create(
        [_build(dataset, first + n, item) for n, item in enumerate(items)],
        batch_size=1000,
    )
    dataset.save(update_fields=["updated_at"])
    return ImportResult(added=len(items))


@transaction.atomic
def replace_items(dataset: Dataset, items: list[ItemData]) -> ImportResult:
    """Make ``items`` the dataset's content, in order.

    Unchanged items keep their rows (so their runs and cached results still
    line up); items that runs refer to are archived, not deleted, so earlier
    sweeps keep their inputs; the rest are deleted.
    """
    current: dict[str, list[DatasetItem]] = {}
    for row in dataset.items.filter(archived=False).order_by("position", "id"):
        current.setdefault(row.content_hash, []).append(row)
    keep, create = [], []
    for position, item in enumerate(items):
        digest = item_hash(item.input, item.expected, list(item.tags))
        if current.get(digest):
            row = current[digest].pop(0)
            row.position = position
            keep.append(row)
        else:
            create.append(_build(dataset, position, item))
    leftover = [row.pk for rows in current.values() for row in rows]
    used = set(
        Run.objects.filter(item_id__in=leftover).values_list("item_id", flat=True)
    )
    DatasetItem.objects.filter(pk__in=used).update(archived=True)
    deleted, _ = DatasetItem.objects.filter(pk__in=set(leftover) - used).delete()
    DatasetItem.objects.bulk_update(keep, ["position"], batch_size=1000)
    DatasetItem.objects.bulk_create(create, batch_size=1000)
    dataset.save(update_fields=["updated_at"])
    return ImportResult(
        added=len(create), kept=len(keep), archived=len(used), deleted=deleted
    )


def dataset_items(dataset: Dataset) -> list[ItemData]:
    return [
        ItemData(row.input, row.expected, list(row.tags))
        for row in dataset.active_items()
    ]


SEARCHED = ("input", "expected", "tags")


def search_items(dataset: Dataset, text: str) -> QuerySet[DatasetItem]:
    """The dataset's items whose input, expected output or tags (keys and
    values) contain ``text``, ignoring case (any script's).

    The match runs on the stored JSON text, where quotes and backslashes are
    escaped: the text is escaped alike, so ``say "hi"`` still matches. On
    SQLite, whose LIKE ignores the case of ASCII letters only and whose JSON
    text escapes the rest (``\\u00e9``), both sides are read back and case-folded
    by Python (``db_functions``): ``CAFÉ`` finds ``Café``."""
    items = dataset.active_items()
    needle = json.dumps(text, ensure_ascii=False)[1:-1]
    match = Q()
    if connection.vendor == "sqlite":
        folded = {f"{field}_folded": JsonFold(field) for field in SEARCHED}
        for name in folded:
            match |= Q(**{f"{name}__contains": needle.casefold()})
        return items.alias(**folded).filter(match)
    for field in SEARCHED:
        match |= Q(**{f"{field}__icontains": needle})
    return items.filter(match)
