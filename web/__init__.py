"""Web front ends: the citizen chat widget (talks to Rasa) and the hotline agent console (calls the engine)."""
