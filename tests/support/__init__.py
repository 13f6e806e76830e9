"""Shared test support: reading the bot's messages, running actions, Chromium (the stacks themselves: deploy/devstack.py)."""
