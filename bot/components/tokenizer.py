"""Jieba tokenizer that also works on English text.

Why: Rasa's JiebaTokenizer is the only stock tokenizer for Chinese, but on English text jieba emits the spaces
between words as tokens (" "). Those tokens shift entity spans, pollute count-vector features and make the
RegexEntityExtractor's matches disagree with token boundaries. Dropping whitespace-only tokens gives one
tokenizer that serves both languages of the assistant.

It also initialises jieba's prefix dictionary when the model is loaded, so the first user message does not
pay jieba's ~1 s lazy start (the server reports ready only once that is done).
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message


def _warm_up_jieba() -> None:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class BilingualJiebaTokenizer(JiebaTokenizer):
    """JiebaTokenizer minus whitespace tokens; config `language: zh` (jieba's only supported language)."""

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource) -> None:
        super().__init__(config, model_storage, resource)
        _warm_up_jieba()  # JiebaTokenizer's create and load both end here

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        tokens = super().tokenize(message, attribute)
        kept = [t for t in tokens if t.text.strip()]
        # Rasa needs at least one token per text; keep the original list for whitespace-only input.
        return kept or tokens
