"""Rasa's `create`/`load` entry points, written once for the custom components.

Why: GraphComponent makes every component spell out the same four-argument classmethods; ours differ only
in how they are built and what they read back from their resource, so that is all each one states.
Annotations stay importable here: Rasa's graph validation resolves them with typing.get_type_hints.
"""

from __future__ import annotations

import logging
from abc import abstractmethod
from pathlib import Path
from typing import Any, Dict, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

logger = logging.getLogger(__name__)


class ConfiguredComponent(GraphComponent):
    """Built from its config (over the defaults); storage and resource are kept for `train` to persist."""

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls(config, model_storage, resource)


class RestoredComponent(GraphComponent):
    """`load` = `create`, then `restore` what training saved in the resource.

    A resource with nothing saved leaves the component as created (untrained), like Rasa's own components.
    """

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> GraphComponent:
        component = cls.create(config, model_storage, resource, execution_context)
        try:
            with model_storage.read_from(resource) as directory:
                component.restore(directory)
        except (ValueError, FileNotFoundError):
            logger.debug("No trained %s in resource '%s'; using an untrained one.", cls.__name__, resource.name)
        return component

    @abstractmethod
    def restore(self, directory: Path) -> None:
        """Read back what `train`/`persist` wrote to `directory`."""
