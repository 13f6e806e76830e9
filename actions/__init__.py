"""Custom actions for the whohandles Rasa assistant (rasa-sdk action server, Python 3.11).

One module per concern: engine (load once), context (read the tracker), messages (all bilingual wording),
payload (the integrators' JSON), answer (who handles), clarify (choice after a clarification),
department_info ("what does X do" and follow-ups), hotline.

`python -m rasa_sdk --actions actions` imports this package first: the engine is loaded here, before the
server answers /health.
"""

import warnings

# rasa_sdk warns on the first call that Rasa 3.6 and rasa_sdk 3.19 differ in minor version. The pairing is
# deliberate (PyPI has no rasa_sdk before 3.11 for Python 3.11, which torch here needs) and the action protocol they
# speak is the same: tests/e2e run every action through the real Rasa server.
warnings.filterwarnings("ignore", message="Your versions of rasa and rasa_sdk might not be compatible")

from actions.engine import get_engine  # noqa: E402 - after the filter above

get_engine()
