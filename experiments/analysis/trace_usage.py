"""A pipeline's cost, latency and cache hits per config and stage, summed
from the runs' ``trace`` inside the database (JSON functions of PostgreSQL
or SQLite): the traces also hold every stage's messages and output, which
are never sent to Python for this.

It reads each trace whole all the same, so it costs about what reading the
traces costs: fine for pipelines of tens of thousands of runs, not within
the analysis's 300 ms on a 100,000-run pipeline (docs/api.md says so).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import connection

if TYPE_CHECKING:
    from experiments.analysis.data import SweepData

_SQL = {
    "postgresql": """
        SELECT r.config_hash, s.ord, s.elem->>'stage',
               COUNT(*),
               SUM((s.elem->>'cost')::float),
               COUNT(*) FILTER (WHERE jsonb_typeof(s.elem->'cost') = 'number'),
               AVG((s.elem->>'latency_ms')::float),
               COUNT(*) FILTER (WHERE s.elem->>'cache_hit' = 'true')
        FROM {table} r
        CROSS JOIN LATERAL jsonb_array_elements(r.trace::jsonb)
             WITH ORDINALITY AS s(elem, ord)
        WHERE r.id IN ({runs}) AND jsonb_typeof(r.trace::jsonb) = 'array'
        GROUP BY 1, 2, 3
    """,
    "sqlite": """
        SELECT r.config_hash, s.key, json_extract(s.value, '$.stage'),
               COUNT(*),
               SUM(json_extract(s.value, '$.cost')),
               COUNT(json_extract(s.value, '$.cost')),
               AVG(json_extract(s.value, '$.latency_ms')),
               SUM(CASE WHEN json_extract(s.value, '$.cache_hit') THEN 1 ELSE 0 END)
        FROM {table} r, json_each(r.trace) s
        WHERE r.id IN ({runs}) AND json_type(r.trace) = 'array'
        GROUP BY 1, 2, 3
    """,
}


def stage_usage(data: SweepData) -> dict[str, list[dict]]:
    """Per config hash, per stage in order: ``{stage, runs, cost_total,
    cost_per_run, latency_ms_mean, cache_hit_rate}`` over the finished runs
    that reached the stage."""
    sql = _SQL.get(connection.vendor)
    if sql is None:
        return {}
    finished = data.runs.filter(status__in=["done", "failed"]).values("pk")
    runs_sql, params = finished.query.sql_with_params()
    table = connection.ops.quote_name(data.runs.model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=table, runs=runs_sql), params)
        rows = cursor.fetchall()
    usage: dict[str, list[tuple[int, dict]]] = {}
    for config_hash, order, stage, n, cost, priced, latency, hits in sorted(rows):
        usage.setdefault(config_hash, []).append(
            (
                int(order),
                {
                    "stage": stage,
                    "runs": int(n),
                    "cost_total": round(float(cost or 0.0), 6),
                    "cost_per_run": round(float(cost) / priced, 8) if priced else None,
                    "latency_ms_mean": None if latency is None else round(latency, 1),
                    "cache_hit_rate": round(int(hits or 0) / n, 4) if n else None,
                },
            )
        )
    return {h: [entry for _, entry in sorted(stages)] for h, stages in usage.items()}
