"""The serving half: decoding requests, running the model, encoding responses."""
