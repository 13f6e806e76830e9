"""Two small, measured changes to Rasa 3.6's custom-action calls, applied when the REST channel loads.

Why here: the channel (credentials.yml) is the one piece of project code Rasa imports at server start,
before any message; both changes rebind module attributes that Rasa reads at call time.

1. Bounded wait for the action server. RemoteAction.run passes `DEFAULT_REQUEST_TIMEOUT` (300 s) to every
   request and endpoints.yml cannot change it, so a hung action server would hold the user for 5 minutes.
   With `seconds` (1.5 by default) the call fails fast; the processor logs it and the turn ends with no
   reply, which the channel turns into an apology with both hotlines.
2. Action-result validation with a compiled schema. RemoteAction._validate_action_result calls
   `jsonschema.validate`, which re-checks the (large) events schema itself on every call: ~40 ms of CPU
   per custom action here, more than NLU, policies and the retrieval engine together. Checking the schema
   once and reusing the validator gives the same verdict in ~0.2 ms.
"""

from __future__ import annotations

import functools
from typing import Any, Dict, Text


def limit_action_wait(seconds: float) -> None:
    import rasa.core.actions.action as rasa_action

    rasa_action.DEFAULT_REQUEST_TIMEOUT = seconds  # type: ignore[attr-defined]


@functools.lru_cache(maxsize=1)
def _action_result_validator() -> Any:
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def compile_action_result_schema() -> None:
    from jsonschema import ValidationError
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
        try:
            _action_result_validator().validate(result)
            return True
        except ValidationError as e:  # same message as Rasa's own
            e.message += (
                ". Failed to validate Action server response from API, make sure your response from the "
                f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
            )
            raise e

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]


def apply(action_timeout: float) -> None:
    from bot import turn_cost

    limit_action_wait(action_timeout)
    compile_action_result_schema()
    turn_cost.apply()  # flat per-turn cost (issue 9): see bot/turn_cost.py
