"""Small changes to Rasa 3.6 (custom-action calls, the root route), applied by the server's entry point
(`python -m bot.serve`, which scripts/serve-rasa runs) before Rasa starts.

Each change rebinds a module attribute Rasa reads at call time. Each first checks that the attribute it
replaces exists (PatchError otherwise), and bot.serve refuses a Rasa version other than the one they were
written for, so a Rasa upgrade cannot silently turn them into no-ops; the REST channel refuses to load
without them (tests/bot run all of this in Rasa's own environment).

1. Bounded wait for the action server. RemoteAction.run passes `DEFAULT_REQUEST_TIMEOUT` (300 s) to every
   request and endpoints.yml cannot change it, so a hung action server would hold the user for 5 minutes.
   With `seconds` (1.5 by default) the call fails fast; the processor logs it and the turn ends with no
   reply, which the channel turns into an apology with both hotlines.
2. Action-result validation with a compiled schema. RemoteAction._validate_action_result calls
   `jsonschema.validate`, which re-checks the (large) events schema itself on every call: ~40 ms of CPU
   per custom action here, more than NLU, policies and the retrieval engine together. Checking the schema
   once and reusing the validator gives the same verdict in ~0.2 ms.
3. No version banner. Rasa's root route answers "Hello from Rasa: 3.6.x", telling a scanner which known
   vulnerabilities to try; `rasa.core.run` adds it through `rasa.server.add_root_route` at app creation
   (after the channel is loaded), so rebinding that function makes `GET /` answer {"status": "ok"}.
4. Flat per-turn cost: bot/turn_cost.py (session rollover by length, only the current turn sent to the
   action server, slots carried over once each, event types resolved once).
"""

from __future__ import annotations

import functools
from typing import Any, Dict, Text

WRITTEN_FOR = "3.6."  # the Rasa minor version whose internals these patches replace
_applied = False


class PatchError(RuntimeError):
    """Rasa no longer has what a patch replaces: the patch must be reviewed for this Rasa version."""


def _require(owner: Any, name: str) -> None:
    if not hasattr(owner, name):
        raise PatchError(f"{getattr(owner, '__name__', owner)}.{name} is gone: review bot/patches.py for this Rasa")


def limit_action_wait(seconds: float) -> None:
    import rasa.core.actions.action as rasa_action

    _require(rasa_action, "DEFAULT_REQUEST_TIMEOUT")
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

    _require(RemoteAction, "_validate_action_result")
    _require(RemoteAction, "action_response_format_spec")

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


def hide_version_banner() -> None:
    import rasa.server
    from sanic import response

    _require(rasa.server, "add_root_route")

    def add_root_route(app: Any) -> None:
        @app.get("/")
        async def hello(request: Any) -> Any:
            return response.json({"status": "ok"})

    rasa.server.add_root_route = add_root_route


def apply(action_timeout: float) -> None:
    """All of them, once (raises PatchError if Rasa lacks what one replaces)."""
    global _applied
    from bot import turn_cost

    limit_action_wait(action_timeout)
    compile_action_result_schema()
    hide_version_banner()
    turn_cost.apply()  # flat per-turn cost (issue 9): see bot/turn_cost.py
    _applied = True


def applied() -> bool:
    return _applied
