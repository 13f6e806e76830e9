"""`python -m bot.serve run …`: Rasa's own command line, started with this project's changes — from one
explicit place instead of as a side effect of loading a channel.

1. Refuses a Rasa version other than the one bot/patches.py was written for (it replaces Rasa internals).
2. Keeps third-party deprecation warnings out of the server log: PYTHONWARNINGS would, but importing Sanic
   installs `filterwarnings("once", DeprecationWarning)` ahead of it, so ~10 warnings from pkg_resources,
   TensorFlow, matplotlib and SQLAlchemy (none ours to fix) printed on every start.
3. Applies bot/patches.py, with the action-server wait from $WHOHANDLES_ACTION_TIMEOUT or credentials.yml.
Then hands over to `rasa` exactly as `rasa run …` would.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import List, Optional

import yaml

from bot import patches
from common import settings

CREDENTIALS = Path(__file__).resolve().parents[1] / "credentials.yml"
CHANNEL = "bot.channels.rest.HardenedRestInput"
ACTION_TIMEOUT_ENV = "WHOHANDLES_ACTION_TIMEOUT"
ACTION_TIMEOUT_S = 1.5


def action_timeout(credentials: Path = CREDENTIALS) -> float:
    """Seconds Rasa waits for the action server: the environment, else credentials.yml, else 1.5."""
    data = yaml.safe_load(credentials.read_text(encoding="utf-8")) if credentials.exists() else None
    channel = (data or {}).get(CHANNEL) or {}
    return settings.number_or(ACTION_TIMEOUT_ENV, float(channel.get("action_timeout") or ACTION_TIMEOUT_S))


def check_rasa_version(version: str) -> None:
    if not version.startswith(patches.WRITTEN_FOR):
        raise SystemExit(
            f"bot/patches.py was written for Rasa {patches.WRITTEN_FOR}x, this is Rasa {version}: "
            "review the patches before starting this version."
        )


def quiet_library_warnings() -> None:
    import sanic.app  # noqa: F401 - imported for its side effect: its warning filter goes first, then ours

    for category in (DeprecationWarning, PendingDeprecationWarning):
        warnings.filterwarnings("ignore", category=category)


def main(argv: Optional[List[str]] = None) -> None:
    import rasa

    check_rasa_version(rasa.__version__)
    quiet_library_warnings()
    patches.apply(action_timeout())
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *(sys.argv[1:] if argv is None else argv)]
    rasa_main()


if __name__ == "__main__":
    main()
