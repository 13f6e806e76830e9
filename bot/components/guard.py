"""Sends small talk that carries a real topic to the who-handles path.

Why: the intent classifier sees ~2,500 who-handles examples and 30 of each small-talk intent, and a terse
or oddly phrased problem ("pension", "我失业了", "不是，我是问住房贷款利率", "can someone help with a
dispute with my employer") can land on deny/goodbye/bot_challenge/help — whose replies are canned and
never consult the retrieval engine. Small-talk replies are cheap to lose, a citizen's question is not.

Training collects the topic vocabulary: tokens of the who-handles and department examples that never occur
in any small-talk example and are not generic question words (so "help", "thanks", "which", "负责" are
not topics; "employer", "失业", "贷款" are).
At prediction, a small-talk intent on a message containing a topic token is swapped with ask_who_handles
in the ranking (confidences swapped too, so FallbackClassifier still sees an honest margin); the retrieval
engine then decides, and answers only when it is confident.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Dict, List, Set, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components._common import ConfiguredComponent, RestoredComponent
from common.vocabulary import NON_TOPIC_WORDS

_WORDISH = re.compile(r"^(?:[a-z][a-z'-]{3,}|[\u3400-\u9fff]{2,})$")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SmallTalkGuard(RestoredComponent, ConfiguredComponent, IntentClassifier):
    """Config: guarded (small-talk intents), topic_intents (where topics are learnt), target."""

    FILE = "topics.json"

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "guarded": ["greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "help"],
            "topic_intents": ["ask_who_handles", "ask_department_info"],
            "target": "ask_who_handles",
        }

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource) -> None:
        super().__init__(config, model_storage, resource)
        self.topics: Set[str] = set()

    @staticmethod
    def _tokens(message: Message) -> List[str]:
        tokens = message.get(TOKENS_NAMES[TEXT]) or []
        return [t.text.lower() for t in tokens]

    def train(self, training_data: TrainingData) -> Resource:
        topical: Set[str] = set()
        small_talk: Set[str] = set()
        for example in training_data.intent_examples:
            intent = example.get(INTENT)
            tokens = self._tokens(example)
            if intent in self.config["topic_intents"]:
                topical.update(t for t in tokens if _WORDISH.match(t))
            elif intent in self.config["guarded"]:
                small_talk.update(tokens)
        self.topics = topical - small_talk - NON_TOPIC_WORDS
        with self._model_storage.write_to(self._resource) as directory:
            (directory / self.FILE).write_text(json.dumps(sorted(self.topics), ensure_ascii=False), encoding="utf-8")
        return self._resource

    def restore(self, directory: Path) -> None:
        self.topics = set(json.loads((directory / self.FILE).read_text(encoding="utf-8")))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            if intent.get(INTENT_NAME_KEY) not in self.config["guarded"]:
                continue
            if not any(t in self.topics for t in self._tokens(message)):
                continue
            self._swap(message, intent)
        return messages

    def _swap(self, message: Message, intent: Dict[str, Any]) -> None:
        target = self.config["target"]
        ranking = [dict(r) for r in message.get(INTENT_RANKING_KEY) or []]
        original = intent.get(PREDICTED_CONFIDENCE_KEY, 0.0)
        target_conf = next((r[PREDICTED_CONFIDENCE_KEY] for r in ranking if r[INTENT_NAME_KEY] == target), 0.0)
        for r in ranking:
            if r[INTENT_NAME_KEY] == target:
                r[PREDICTED_CONFIDENCE_KEY] = original
            elif r[INTENT_NAME_KEY] == intent.get(INTENT_NAME_KEY):
                r[PREDICTED_CONFIDENCE_KEY] = target_conf
        if not any(r[INTENT_NAME_KEY] == target for r in ranking):
            ranking.append({INTENT_NAME_KEY: target, PREDICTED_CONFIDENCE_KEY: original})
        ranking.sort(key=lambda r: -r[PREDICTED_CONFIDENCE_KEY])
        message.set(INTENT, {INTENT_NAME_KEY: target, PREDICTED_CONFIDENCE_KEY: original}, add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
