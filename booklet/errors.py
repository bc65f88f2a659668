"""The one exception type users see.

Every user mistake (bad config, missing file, uncovered character, broken
template...) is raised as BookletError with a message that says where the
problem is and how to fix it; the CLI prints it without a traceback.
"""


class BookletError(Exception):
    """A problem the user can fix; ``str(err)`` is the whole message."""

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None):
        self.where = where
        self.hint = hint
        text = f"{where}: {message}" if where else message
        if hint:
            text += f"\n  hint: {hint}"
        super().__init__(text)
