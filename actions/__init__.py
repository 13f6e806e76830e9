"""Custom actions for the whohandles Rasa assistant (rasa-sdk action server, Python 3.11).

One module per concern: engine (load once), context (read the tracker), messages (all bilingual wording),
payload (the integrators' JSON), answer (who handles), clarify (choice after a clarification),
department_info ("what does X do" and follow-ups), hotline.

`python -m rasa_sdk --actions actions` imports this package first: the engine is loaded here, before the
server answers /health, unless WHOHANDLES_LAZY_ENGINE=1.
"""

import os

if os.environ.get("WHOHANDLES_LAZY_ENGINE") != "1":
    from actions.engine import get_engine

    get_engine()
