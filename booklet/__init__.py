"""booklet: print-ready Chinese commemorative booklets from raw text."""

__version__ = "0.1.0"
