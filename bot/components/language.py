"""Adds a `language` entity ("en" or "zh") to every message.

Why: the reply language must follow the user's latest message. Custom actions detect it themselves, but the
chit-chat responses in domain.yml (greet, thank, help...) are plain Rasa responses. The domain maps this
entity to the `language` slot and the responses pick their Chinese variation with a slot condition, so
chit-chat needs no round trip to the action server.

The rule is the shared one (common.language), the same the engine, the actions and the widget use.
"""

from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components._common import ConfiguredComponent
from common.language import detect_or_none

ENTITY = "language"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class LanguageEntityExtractor(ConfiguredComponent, EntityExtractorMixin):
    """Puts {"entity": "language", "value": "en"|"zh"} on each message with letters (span = the whole text)."""

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            language = detect_or_none(text)
            entities = [e for e in message.get(ENTITIES, []) if e.get("entity") != ENTITY]
            if language:  # "2" or "?" carry no language: the slot keeps the previous message's
                entity = {"entity": ENTITY, "start": 0, "end": len(text), "value": language}
                entities += self.add_extractor_name([entity])
            message.set(ENTITIES, entities, add_to_output=True)
        return messages
