"""The `booklet` command line: small, with friendly errors (MkDocs-style).

User mistakes arrive as BookletError and are printed as one message with
exit status 1; a traceback here would mean a bug in booklet itself.
"""

from __future__ import annotations

import functools
import sys
import time
from pathlib import Path

import click

from .config import find_project
from .errors import BookletError


def friendly(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except BookletError as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted; output/ was not changed", err=True)
            sys.exit(130)
    return wrapper


def project_option(fn):
    return click.option("--project", "-p", type=click.Path(file_okay=False, path_type=Path), default=None,
                        help="booklet project folder (default: the folder holding booklet.yaml, from here up)")(fn)


def _project(project: Path | None) -> Path:
    return find_project(project if project is not None else Path.cwd())


@click.group()
@click.version_option(package_name="booklet")
def main() -> None:
    """Typeset print-ready Chinese commemorative booklets."""


def _stage_printer():
    t0 = time.perf_counter()
    last = [t0]

    def progress(stage: str) -> None:
        now = time.perf_counter()
        click.echo(f"  {stage:<8} (+{now - last[0]:.2f}s)")
        last[0] = now
    return progress


@main.command()
@project_option
@click.option("--no-audit", is_flag=True, help="skip the typography audit of the print PDF")
@friendly
def build(project: Path | None, no_audit: bool) -> None:
    """Render the print and digital PDFs into output/."""
    from .build import build as run_build
    root = _project(project)
    click.echo(f"building {root.name}")
    result = run_build(root, _stage_printer())
    for w in result.warnings:
        click.secho(f"warning: {w}", fg="yellow")
    if not no_audit:
        _audit_summary(result.print_pdf)
    mb = {k: v / 1e6 for k, v in result.sizes.items()}
    click.secho(
        f"built {result.pages} pages in {result.seconds:.1f}s: {result.print_pdf.relative_to(root)} ({mb['print']:.1f} MB), "
        f"{result.digital_pdf.relative_to(root)} ({mb['digital']:.1f} MB), {len(result.warnings)} warning(s)",
        fg="green")


def _audit_summary(pdf: Path) -> None:
    try:
        from .audit import audit_pdf
    except ModuleNotFoundError:
        return
    report = audit_pdf(pdf)
    click.echo("typography audit:")
    click.echo(report.summary_table())


@main.command()
@project_option
@friendly
def check(project: Path | None) -> None:
    """Validate config, content, images and glyph coverage without rendering."""
    from .build import check_project
    root = _project(project)
    result = check_project(root)
    for w in result.warnings:
        click.secho(f"warning: {w}", fg="yellow")
    for e in result.errors:
        click.secho(f"error: {e}", fg="red")
    if result.errors:
        click.secho(f"{len(result.errors)} problem(s) found", fg="red")
        sys.exit(1)
    click.secho(f"ok: {len(result.content.units)} units, {len(result.content.honourees)} honourees, "
                f"{len(result.warnings)} warning(s)", fg="green")


@main.group()
def fonts() -> None:
    """Manage the shipped fonts."""


@fonts.command("install")
@click.option("--dir", "font_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="fonts folder holding manifest.yaml (default: the project's fonts/)")
@project_option
@friendly
def fonts_install(font_dir: Path | None, project: Path | None) -> None:
    """Build fonts/ from their Debian sources and verify their sha256."""
    from .fonts import install_fonts
    if font_dir is None:
        font_dir = _project(project) / "fonts"
    install_fonts(font_dir, log=click.echo)


if __name__ == "__main__":  # pragma: no cover
    main()
