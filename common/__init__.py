"""What the two interpreters must agree on: the Rasa server (Python 3.10) and the app side (Python 3.11:
engine, action server, web console) both import this package, so a rule lives here once.

normalize (text for NLU and retrieval), text (cleaning, message limit), privacy (masking before storing),
errors (the one error shape and the POST checks), ratelimit (per-client limits), retention (deleting old data).

Dependencies: the standard library, OpenCC (normalize) and `limits` (ratelimit), installed in both environments.
"""
