"""Pipelines: the stages of a normalised spec, and what a stage's templates
may say about earlier stages (``stages.<name>.output`` / ``.json``).

The normalised spec always has ``stages``; specs stored before pipelines
existed do not, and read as one stage named ``main``.
"""

from __future__ import annotations

from jinja2 import nodes

MAIN = "main"
STAGE_FIELDS = ("output", "json")


def stages_of(spec: dict) -> list[dict]:
    """The spec's stages. A single-stage spec (top-level ``params``; a
    pipeline has none) is one ``main`` stage read from its top-level fields,
    which stay the ones that count: specs stored before pipelines have no
    ``stages``, and stored specs are edited there (tests, admin)."""
    if "params" not in spec:
        return spec["stages"]
    return [
        {
            "name": MAIN,
            "prompts": spec["prompts"],
            "models": spec["models"],
            "params": spec["params"],
            "scorers": [],
        }
    ]


def all_scorers(spec: dict) -> list[dict]:
    """The final scorers and every stage's own."""
    return [*spec["scorers"], *(s for st in stages_of(spec) for s in st["scorers"])]


def stage_refs(parsed: nodes.Template) -> tuple[set[tuple[str, str]], list[str]]:
    """((stage, field) pairs a template reads, problems). Only static
    references count: the engine must know before rendering which earlier
    outputs a prompt needs and whether it needs them parsed as JSON."""
    refs: set[tuple[str, str]] = set()
    problems: list[str] = []

    def visit(node: nodes.Node, parents: list[nodes.Node]) -> None:
        if isinstance(node, nodes.Name) and node.name == "stages":
            # A name is never the root nor the root's child (the template's
            # body holds statements): it has a parent and a grandparent.
            stage = _key(parents[-1], node)
            field = _key(parents[-2], parents[-1]) if stage is not None else None
            if stage is None or field not in STAGE_FIELDS:
                problems.append(
                    "refer to an earlier stage as stages.<name>.output or "
                    "stages.<name>.json"
                )
            else:
                refs.add((stage, field))
        for child in node.iter_child_nodes():
            visit(child, [*parents, node])

    visit(parsed, [])
    return refs, problems


def _key(parent: nodes.Node, child: nodes.Node) -> str | None:
    """The attribute or constant key ``parent`` takes of ``child``, if any."""
    if isinstance(parent, nodes.Getattr) and parent.node is child:
        return parent.attr
    if (
        isinstance(parent, nodes.Getitem)
        and parent.node is child
        and isinstance(parent.arg, nodes.Const)
        and isinstance(parent.arg.value, str)
    ):
        return parent.arg.value
    return None


def ref_problem(stage: str, earlier: list[str], every: list[str]) -> str | None:
    """Why a template of a stage may not read ``stage``, or None."""
    if stage in earlier:
        return None
    if stage in every:
        return (
            f'stage "{stage}" is not an earlier stage; a template can use the '
            "results of earlier stages only"
        )
    known = ", ".join(earlier) or "none"
    return f'unknown stage "{stage}" (earlier stages: {known})'
