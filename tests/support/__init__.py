"""Shared test support: the real stack (tests/support/stack.py)."""
