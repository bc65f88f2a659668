"""Rendering a layout of the reflowable editions, with the build's error messages.

A project may override any of these layouts (layouts/epub/…, layouts/web/…,
layouts/reflow/…); a mistake in one is reported like one in the print
layouts, by file and line, never as a traceback.
"""

from __future__ import annotations

import traceback

import jinja2

from ..errors import BookletError

LAYOUT_SUFFIXES = (".html", ".xhtml", ".opf", ".css")


def render_template(env: jinja2.Environment, name: str, ctx: dict, **extra) -> str:
    try:
        return env.get_template(name).render(**ctx, **extra)
    except jinja2.TemplateSyntaxError as exc:
        raise BookletError(f"template error: {exc.message}", where=f"layouts/{exc.name or name}, line {exc.lineno}") from None
    except (jinja2.UndefinedError, jinja2.TemplateNotFound, TypeError, AttributeError) as exc:
        where = _frame(exc)
        if where is None and isinstance(exc, (jinja2.TemplateNotFound, jinja2.UndefinedError)):
            where = f"layouts/{name}"
        if where is None:                 # not a template's mistake: a bug in booklet
            raise
        raise BookletError(f"template error: {exc}", where=where) from None


def _frame(exc: BaseException) -> str | None:
    """layouts/<file>, line N of the innermost template frame, None when no template raised."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(LAYOUT_SUFFIXES):
            parts = frame.filename.replace("\\", "/").split("/layouts/")
            return f"layouts/{parts[-1]}, line {frame.lineno}"
    return None
