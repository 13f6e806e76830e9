"""What the two interpreters must agree on: the Rasa server (Python 3.10) and the app side (Python 3.11:
engine, action server, web console) both import this package, so a rule lives here once.

Dependencies: the standard library and OpenCC only (installed in both environments).
"""
