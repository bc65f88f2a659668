"""Live: the watch loop and page previews."""
