"""Synthetic special issues for the importer: a generator of raw extracted
text (generate.py), clean issues to feed it (issues/*.yaml) and a fidelity
harness that imports the raw text and compares it with the clean content
(fidelity.py)."""
