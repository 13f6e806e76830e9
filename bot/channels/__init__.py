"""Rasa input channels (loaded by credentials.yml through their module path)."""
