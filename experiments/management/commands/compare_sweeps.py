from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from experiments.analysis.data import AnalysisParameterError, Filters, check_filters
from experiments.management.cli_checks import CLI_CHECKS
from experiments.models import Sweep
from experiments.services.analysis import compare_sweeps


def _number(value: float | None, sign: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:+.3f}" if sign else f"{value:.3f}"


def versus_table(result: dict) -> str:
    header = (
        f"{'mean A':>7} {'mean B':>7} {'delta':>7} {'ci95':>15} {'p':>6} "
        f"{'n':>5}  {'verdict':<11} config"
    )
    lines = [header]
    for row in result["configs"]:
        ci = row["delta_ci95"]
        interval = "-" if not ci else f"{ci[0]:+.2f}..{ci[1]:+.2f}"
        p = "-" if row["p_value"] is None else f"{row['p_value']:.3f}"
        lines.append(
            f"{_number(row['mean_a']):>7} {_number(row['mean_b']):>7} "
            f"{_number(row['delta'], sign=True):>7} {interval:>15} {p:>6} "
            f"{row['paired_items']:>5}  {row['verdict']:<11} {row['label']}"
        )
    a, b = result["a"], result["b"]
    lines.append(
        f"sweep {b['id']} ({b['experiment']}) against {a['id']} ({a['experiment']}): "
        f"{len(result['configs'])} shared configs on {result['shared_items']} "
        f"shared items, {result['regressions']} regressions, "
        f"{result['improvements']} improvements"
    )
    for side in ("a", "b"):
        alone = result[f"only_in_{side}"]
        if alone:
            lines.append(f"{len(alone)} configs only in sweep {result[side]['id']}")
    return "\n".join(lines)


class Command(BaseCommand):
    requires_system_checks = CLI_CHECKS  # not the API's (cli_checks.py)
    help = (
        "Compare sweep B against the baseline sweep A on the configs and items "
        "they share: per config the score delta B - A, its 95% interval and a "
        "verdict. Exit 1 when any config regressed (for CI gates), else 0."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("a", type=int, help="the baseline sweep's id")
        parser.add_argument("b", type=int, help="the sweep compared with it")
        parser.add_argument(
            "--json", action="store_true", help="the API's answer, as JSON on stdout"
        )
        parser.add_argument("--scorer", help="compare this scorer's value instead")

    def handle(self, *args, a: int, b: int, scorer: str | None, **options) -> None:
        sweeps = []
        for sweep_id in (a, b):
            found = (
                Sweep.objects.select_related("experiment__project")
                .filter(pk=sweep_id)
                .first()
            )
            if found is None:
                raise CommandError(f"no sweep {sweep_id}")
            sweeps.append(found)
        for sweep in sweeps:
            try:
                check_filters(sweep.spec, Filters(scorer=scorer))
            except AnalysisParameterError as exc:
                raise CommandError(f"sweep {sweep.pk}: {exc}") from None
        result = compare_sweeps(sweeps[0], sweeps[1], scorer)
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=2))
        else:
            self.stdout.write(versus_table(result))
        regressed = [row["label"] for row in result["configs"]
                     if row["verdict"] == "regression"]  # fmt: skip
        if regressed:
            raise CommandError(
                f"{len(regressed)} config(s) regressed in sweep {b} against "
                f"sweep {a}: " + "; ".join(regressed)
            )
