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
@click.option("--final", is_flag=True,
              help="press-ready or nothing: refuse placeholder frames, images under 300 dpi and any preflight error")
@click.option("--workers", type=click.IntRange(0, 256), default=None,
              help="processes laying out page groups (default: output.workers in booklet.yaml, 0 = one per core; "
                   "1 = in one piece)")
@friendly
def build(project: Path | None, no_audit: bool, final: bool, workers: int | None) -> None:
    """Render the print and digital PDFs into output/ (proofs; --final for the press)."""
    _build_and_report(_project(project), no_audit, final, workers)


def _build_and_report(root: Path, no_audit: bool = False, final: bool = False, workers: int | None = None) -> None:
    """Build ``root`` and print each stage, the warnings, the audit and the summary."""
    from .build import build as run_build
    click.echo(f"building {root.name}" + (" (final)" if final else ""))
    from .images import PLACEHOLDER_DRAWN
    result = run_build(root, _stage_printer(), final=final, workers=workers)
    # Portraits not supplied yet are summed up; a path an editor wrote that cannot be used is listed.
    missing = [w for w in result.warnings if w.endswith(PLACEHOLDER_DRAWN)]
    for w in result.warnings:
        if w not in missing:
            click.secho(f"warning: {w}", fg="yellow")
    if missing:
        click.secho(f"warning: {len(missing)} image(s) missing, placeholder frames drawn "
                    f"(e.g. {missing[0].split(': image ')[-1].split(' ')[0]}); 'booklet check' lists them", fg="yellow")
    if not no_audit:
        _audit_summary(result.print_pdf, root, workers)
    for path, what in result.outputs:
        rel = f"{path.relative_to(root)}{'/' if path.is_dir() else ''}"
        click.echo(f"  {rel:<28} {what}")
    click.secho(f"built {result.pages} pages in {result.seconds:.1f}s "
                f"(EPUB and web edition {result.reflow_seconds:.1f}s of it), {len(result.warnings)} warning(s)", fg="green")
    if result.press_ready:
        click.secho(f"press-ready: {result.print_pdf.relative_to(root)} is {result.print_summary}", fg="green")
    else:
        click.echo(f"proof: {result.print_summary}; 'booklet build --final' checks that it can go to press")


def _audit_margins(root: Path | None, pdf: Path):
    """Text-area margins per page from booklet.yaml, mirrored; None for the covers."""
    if root is None:
        return None
    import pikepdf
    with pikepdf.open(pdf) as doc:
        total = len(doc.pages)
    from .config import load_config
    cfg = load_config(root)
    mm = 72 / 25.4
    m = cfg.margins

    def margins(page: int):
        if page in (1, total):
            return None
        inner, outer = m.inner * mm, m.outer * mm
        left, right = (outer, inner) if page % 2 == 0 else (inner, outer)
        return (m.top * mm, right, m.bottom * mm, left)
    return margins


def _audit_cache(root: Path | None) -> Path | None:
    """Where the audit keeps each page's glyphs by content (pdf/audit/reading.py)."""
    from .reflow.images import CACHE_DIR
    return root / CACHE_DIR / "audit" if root is not None else None


def _audit_summary(pdf: Path, root: Path | None, workers: int | None = None) -> None:
    from .build import default_workers
    from .pdf.audit import audit_pdf
    if not workers and root is not None:
        from .config import load_config
        workers = load_config(root).output.workers       # 0: one per core
    report = audit_pdf(pdf, margins=_audit_margins(root, pdf), processes=workers or default_workers(),
                       cache=_audit_cache(root))
    click.echo(f"typography audit ({report.lines_checked} lines, {report.justified_lines_checked} justified lines checked):")
    click.echo(report.summary_table())


@main.command()
@click.argument("pdf", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--project", "-p", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="project whose margins define the text area (default: found from the PDF's folder)")
@click.option("--tolerance", default=0.5, show_default=True, help="pt a line end may be off")
@friendly
def audit(pdf: Path, project: Path | None, tolerance: float) -> None:
    """Report clreq problems read from PDF glyph positions."""
    from .pdf.audit import cli_audit
    root = None
    try:
        root = find_project(project or pdf.resolve().parent)
    except BookletError:
        pass
    from .build import default_workers
    sys.exit(cli_audit(pdf, margins=_audit_margins(root, pdf), tolerance=tolerance, processes=default_workers(),
                       cache=_audit_cache(root)))


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


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--layouts", "copy_layouts", is_flag=True, help="copy the default layouts into FOLDER/layouts to edit them")
@click.option("--from", "raw", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="raw text pulled out of an issue's PDF: the project's content is its import, then it is built")
@friendly
def new(folder: Path, copy_layouts: bool, raw: Path | None) -> None:
    """Create a new booklet project in FOLDER (from RAW text with --from)."""
    from .scaffold import new_project, new_project_from
    if raw is None:
        new_project(folder, copy_layouts=copy_layouts)
        click.echo(f"created {folder}; next: cd {folder} && booklet build")
        return
    result = new_project_from(folder, raw, copy_layouts=copy_layouts)
    click.echo(f"created {folder} from {raw.name}: {len(result.units)} units and {result.honourees} honourees "
               f"({result.with_testimonial} with a testimonial)")
    meta = result.meta
    if meta is not None:
        for key in ("title", "subtitle", "issue", "date", "publisher"):
            value = getattr(meta, key) or "(empty)"
            how = f"  ({meta.guessed[key]})" if key in meta.guessed else ""
            click.echo(f"  {key:<9} {value}{how}")
    click.echo(f"review report: {result.report} "
               f"({len(result.changes)} changes, {len(result.review)} to review)")
    _build_and_report(folder.resolve())


@main.command()
@project_option
@click.option("--no-previews", is_flag=True, help="do not write PNG previews of changed pages")
@click.option("--debounce", default=300, show_default=True, help="milliseconds to wait for a burst of saves to end")
@click.option("--workers", type=click.IntRange(0, 256), default=None,
              help="1 writes the PDFs in one piece (default: output.workers in booklet.yaml)")
@friendly
def watch(project: Path | None, no_previews: bool, debounce: int, workers: int | None) -> None:
    """Rebuild whenever content/, layouts/, images/ or booklet.yaml change."""
    from .live.watch import watch as run_watch
    run_watch(_project(project), echo=click.echo, debounce_ms=debounce, previews=not no_previews, workers=workers)


@main.command()
@click.argument("pdf", type=click.Path(dir_okay=False, path_type=Path), required=False)
@project_option
@click.option("--dpi", default=60, show_default=True)
@click.option("--plates", "plates_page", type=int, default=None, metavar="PAGE",
              help="instead: the print edition's ink plates (C, M, Y, K) of page PAGE side by side")
@click.option("--web", is_flag=True, help="instead: read the web edition in Chromium, screenshots of every page at "
              "phone and desktop size into output/preview/web/, and a check for sideways scrolling")
@friendly
def preview(pdf: Path | None, project: Path | None, dpi: int, plates_page: int | None, web: bool) -> None:
    """Write PNG pages and a contact sheet into output/preview/ (or one page's ink plates, or the web edition's screenshots)."""
    from .config import load_config
    from .live.preview import contact_sheet, render_pages
    root = _project(project)
    if web:
        _preview_web(root, load_config(root).output.web)
        return
    if pdf is None:
        cfg = load_config(root)
        pdf = root / "output" / (cfg.output.print if plates_page else cfg.output.digital)
    if not pdf.is_file():
        raise BookletError(f"{pdf} does not exist", hint="run 'booklet build' first")
    import shutil
    import tempfile
    out = root / "output" / "preview"
    if plates_page is not None:
        from .pdf.separations import plates_preview
        path = plates_preview(pdf, plates_page, out / f"plates-p{plates_page}.png", dpi=dpi)
        click.echo(f"wrote {path.relative_to(root) if path.is_relative_to(root) else path}")
        return
    out.mkdir(parents=True, exist_ok=True)
    # Render beside the old previews; they are replaced only once every page is there.
    with tempfile.TemporaryDirectory(prefix=".preview-", dir=out) as tmp:
        staged = render_pages(pdf, Path(tmp), dpi=dpi)
        contact_sheet(staged, Path(tmp) / "contact-sheet.png")
        for old in out.glob("page-*.png"):
            old.unlink()
        pages = [Path(shutil.move(str(p), out / p.name)) for p in staged]
        sheet = Path(shutil.move(str(Path(tmp) / "contact-sheet.png"), out / "contact-sheet.png"))
    click.echo(f"wrote {len(pages)} pages and {sheet.relative_to(root)}")


def _preview_web(root: Path, folder: str) -> None:
    from .reflow.browser import VIEWPORTS, check_site
    shots = root / "output" / "preview" / "web"
    report = check_site(root / "output" / folder, shots)
    problems = report.problems()
    for p in problems:
        click.secho(f"problem: {p}", fg="red")
    pages = len({p.page for p in report.pages})
    sizes = " and ".join(f"{w}×{h}" for w, h in VIEWPORTS.values())
    click.secho(f"read {pages} pages at {sizes}: {len(problems)} problem(s); screenshots in {shots.relative_to(root)}/",
                fg="red" if problems else "green")
    if problems:
        sys.exit(1)


@main.command()
@click.argument("pdf", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@project_option
@friendly
def preflight(pdf: Path, project: Path | None) -> None:
    """Check a PDF for print: boxes, page count, fonts, images, colour, PDF/X."""
    from .config import load_config
    from .pdf.preflight import preflight as run_preflight
    cfg = None
    try:
        cfg = load_config(find_project(project or pdf.resolve().parent))
    except BookletError:
        if project is not None:
            raise
    report = run_preflight(pdf, cfg)
    click.echo(report.format())
    sys.exit(0 if report.ok else 1)


@main.command()
@click.argument("pdf", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="imposed PDF to write (default: next to PDF, named …-imposed.pdf)")
@friendly
def impose(pdf: Path, output: Path | None) -> None:
    """Printer's spreads for saddle stitching: two pages per sheet side, in fold order."""
    from . import fsutil
    from .pdf.impose import impose_saddle
    out = output or pdf.with_name(pdf.stem + "-imposed.pdf")
    fsutil.write_bytes(out, impose_saddle(pdf))
    click.secho(f"imposed {pdf.name} → {out}", fg="green")


@main.command("import")
@click.argument("raw", type=click.Path(dir_okay=False, path_type=Path))
@project_option
@click.option("--force", is_flag=True, help="overwrite content files an editor changed (default: write NAME.new.md beside them)")
@friendly
def import_(raw: Path, project: Path | None, force: bool) -> None:
    """Clean RAW text pulled out of a PDF into content/ and write a review report."""
    import yaml
    from .importing.importer import import_raw
    from .importing.project_units import update_units
    root = project.resolve() if project is not None else _project_or_cwd()
    units_file = root / "content" / "units.yaml"
    previous = yaml.safe_load(units_file.read_text("utf-8"))["units"] if units_file.is_file() else None
    result = import_raw(raw, root, force=force)
    click.echo(f"imported {len(result.units)} units and {result.honourees} honourees "
               f"({result.with_testimonial} with a testimonial) into {root.name}/content/")
    for name in result.written:
        click.echo(f"  wrote      {name}")
    for c in result.conflicts:
        click.secho(f"  kept       {c.path}: edited by hand; the import's version is {c.new_path}", fg="yellow")
    for name in result.stale:
        click.secho(f"  stale      {name}: no longer produced by the import (left in place)", fg="yellow")
    click.echo(update_units(root, result.units_list, previous))
    flagged = len(result.review)
    click.echo(f"review report: {result.report.relative_to(root)} ({len(result.changes)} changes, {flagged} to review)")


def _project_or_cwd() -> Path:
    try:
        return find_project(Path.cwd())
    except BookletError:
        return Path.cwd()


@main.group()
def profiles() -> None:
    """Manage the shipped CMYK output profile."""


@profiles.command("install")
@friendly
def profiles_install() -> None:
    """Copy the shipped CMYK profile from its Debian package and verify its sha256."""
    from .colours import install_profiles
    install_profiles(log=click.echo)


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
