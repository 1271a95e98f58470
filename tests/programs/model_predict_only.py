"""No @predict_fn: serving falls back to model.predict with each content type's default."""
