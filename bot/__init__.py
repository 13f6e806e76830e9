"""The Rasa side of whohandles: custom NLU components, the hardened REST channel and data generation.

Runs in two environments: `bot.components` and `bot.channels` are imported by Rasa (Python 3.10, .venv/rasa);
`bot.generate` runs in the app environment (Python 3.11) because it reads `knowledge/`.
Nothing here may import the other side's packages at module level.
"""
