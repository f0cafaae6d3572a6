from experiments.models.analysis import SweepColumns
from experiments.models.apikeys import ApiKey
from experiments.models.cache import CachedResponse
from experiments.models.datasets import Dataset, DatasetItem
from experiments.models.experiments import Experiment
from experiments.models.projects import Endpoint, Membership, Project
from experiments.models.promotions import Promotion
from experiments.models.prompts import Prompt, PromptVersion
from experiments.models.sweeps import Run, Score, Sweep, SweepEvent

__all__ = [
    "ApiKey",
    "CachedResponse",
    "Dataset",
    "DatasetItem",
    "Endpoint",
    "Experiment",
    "Membership",
    "Project",
    "Promotion",
    "Prompt",
    "PromptVersion",
    "Run",
    "Score",
    "Sweep",
    "SweepColumns",
    "SweepEvent",
]
