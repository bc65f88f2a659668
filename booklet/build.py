"""One build: config → content → checks → HTML → PDF editions, atomically.

Stages report progress through a callback so the CLI (and watch) can print
them; nothing is written to output/ until every stage has succeeded. A
Builder keeps what can be reused between builds of one project in one
process (Jinja environment, WeasyPrint's font configuration, fontTools
coverage tables), which is what makes `booklet watch` rebuilds fast.
"""

from __future__ import annotations

import functools
import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import fsutil
from .colours import policy_from_config
from .config import Config, load_config
from .content import Content, load_content
from .errors import BookletError
from .fonts import resolve_faces
from .glyphs import check_glyphs
from .pdf.preflight import preflight
from .pdf.editions import PDFX_NAMES, digital_edition, make_print_edition, source_date
from .render.document import overflow_report, page_fingerprints, render_document
from .render.sourcemap import locate_warnings
from .render.templates import build_html, make_env, render_css

Progress = Callable[[str], None]


class Superseded(Exception):
    """`booklet watch` saw a newer save once the digital PDF was out: the rest
    of this build (print edition, preflight) is left to the build of that save,
    which makes all of it anyway. Not an error: nothing is wrong with the input."""


def _quiet(stage: str) -> None:
    return None


@dataclass
class CheckResult:
    config: Config
    content: Content
    faces: list
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    images: list = field(default_factory=list)       # images.ImageFinding: missing, coarse, unreadable


@dataclass
class BuildResult:
    """What one build made. The two editions number their pages differently:
    the print one has blank pages added before the back cover (a multiple of
    4 for saddle stitching), the digital one does not. *fingerprints* are per
    laid-out page, which are the digital edition's pages; *print_numbers*
    says where each of them is in the print edition."""
    print_pdf: Path
    digital_pdf: Path
    pages: int                    # of the print edition
    blank_pages_added: int
    seconds: float
    warnings: list[str]
    sizes: dict[str, int]
    fingerprints: list[str] = field(default_factory=list)
    how: str = ""                 # how the layout was made (full, repainted, some parts again)
    press_ready: bool = False     # a --final build that passed every check
    print_summary: str = ""       # variant and output intent of the print edition
    print_numbers: list[int] = field(default_factory=list)
    outputs: list[tuple[Path, str]] = field(default_factory=list)   # every file or folder written, described
    reflow_seconds: float = 0.0   # the EPUB and the web edition's share of `seconds`

    @property
    def digital_pages(self) -> int:
        return len(self.print_numbers) or self.pages


def check_project(project: Path, progress: Progress = _quiet, memo: dict | None = None) -> CheckResult:
    """Everything that can be known without rendering. Raises on the first
    structural error (config, content syntax); collects glyph and image problems.
    *memo* keeps what an unchanged file gave between builds (see load_content)."""
    from .images import check_images
    project = project.resolve()
    progress("config")
    cfg = load_config(project)
    source_date(cfg)           # a bad SOURCE_DATE_EPOCH stops the build before the long layout
    policy_from_config(cfg)          # colour roles the press cannot print are booklet.yaml mistakes
    progress("content")
    content = load_content(project, [u.path for u in cfg.units], cfg.honourees, memo)
    faces = resolve_faces(project, cfg.fonts, cfg.font_lines)
    result = CheckResult(cfg, content, faces)
    progress("glyphs")
    result.errors.extend(str(m) for m in check_glyphs(cfg, content, faces, project))
    progress("images")
    result.warnings.extend(check_images(project, content, result.errors, cfg.honourees, cfg.placed_sizes(),
                                        findings=result.images))
    return result


def final_problems(checked: CheckResult, preflight_report) -> list[str]:
    """What stops a print edition from going to press: placeholder frames, images under
    300 dpi at their placed size, and every preflight error (with final=True, coarse
    images in the PDF are errors too), one line each."""
    from .images import PLACEHOLDER_DRAWN
    problems = []
    for f in checked.images:
        if f.problem == "missing" and f.message.endswith(PLACEHOLDER_DRAWN):
            problems.append(f"placeholder frame instead of {f.src} ({f.who}): supply the photo")
        elif f.problem == "missing":
            problems.append(f"placeholder frame: {f.message}")
        elif f.problem == "low":
            problems.append(f.message)
    coarse = {m.split(" px,")[0].rsplit(" is ", 1)[-1] for m in problems if " px, only " in m}
    for e in preflight_report.errors:
        px = e.split("image ", 1)[-1].split(" px placed")[0] if " px placed at " in e else None
        if px is None or px not in coarse:      # a coarse photo named above is not listed twice
            problems.append(f"preflight: {e}")
    return problems


class ImageCache(dict):
    """WeasyPrint's image cache, kept between builds, forgetting changed files.

    WeasyPrint caches decoded images by URL (and their PDF data under keys
    derived from it) for one render; kept across renders it would show an
    image the designer has just replaced. Each build first drops the entries
    of every file whose size or modification time changed.
    """

    def __init__(self):
        super().__init__()
        self._stamps: dict[str, tuple | None] = {}

    def refresh(self) -> "ImageCache":
        for url in list(self._stamps):
            if fsutil.url_stamp(url) != self._stamps[url]:
                prefix = hashlib.md5(url.encode(), usedforsecurity=False).hexdigest()   # WeasyPrint's image id
                for key in [k for k in self if k == url or k.startswith(prefix)]:
                    del self[key]
                del self._stamps[url]
        return self

    def remember(self) -> None:
        for key in self:
            if key not in self._stamps and ":" in key[:8]:
                self._stamps[key] = fsutil.url_stamp(key)


def default_workers() -> int:
    import os
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class Builder:
    """Builds one project, reusing expensive state across builds in a process.

    With more than one worker (the default: one per core) the PDFs are
    written per page group and merged (booklet.parallel, booklet.pdf.merge):
    a group whose pages did not change keeps its PDF between builds, so a
    rebuild draws only what an edit changed. With one worker the booklet
    is written in one piece: the reference the tests compare with.
    """

    def __init__(self, project: Path, workers: int | None = None, *, parallel: bool = False):
        self.project = project.resolve()
        self.parallel = parallel                      # lay out in worker processes when a plan allows
        self.workers = workers                        # None: booklet.yaml's output.workers, 0 there = cores
        self._pieces: dict = {}                       # (first page, pages) → pieces.GroupPDFs of a page group
        self._pieces_made: tuple = ()                 # what the kept groups' edition pages were made with
        self._font_digests: dict = {}                 # font file path → (stamp, digest)
        self._env = None
        self._env_key: tuple = ()
        self._font_config = None
        self._plan = None          # incremental.Plan of the last layout
        self._last_doc = None
        self._wp_warnings: list[str] = []
        self._fingerprints: dict[int, str] = {}   # id(page) → fingerprint taken before it was drawn
        self._css: str | None = None                # the stylesheet the kept pages were laid out with
        self._sources: dict[int, object] = {}       # id(page) → the WeasyPrint HTML it was laid out from
        self.last_strategy = ""                      # how the last layout was done (for watch and tests)
        self._images = ImageCache()
        self._cfg_workers = 0
        self._content_memo: dict = {}
        self._overflows: dict = {}                    # id(page) → what overflow_report found on it
        self.last_runs: list[float] = []              # CPU seconds of each run laid out by a worker
        self.last_beside = (0.0, 0.0)                 # CPU seconds of the print edition's process, and of this one meanwhile
        self.pdf_note = ""
        self._base_url = self.project.as_uri() + "/"
        self._font_key: tuple = ()
        self._last_inputs: tuple | None = None        # what write_reflow needs from the last build

    def _environment(self):
        """The Jinja environment, rebuilt when the set of override files changes.

        Jinja's auto_reload notices edits to a template it loaded, but not a
        new override appearing in layouts/ in front of a default one.
        """
        layouts = self.project / "layouts"
        key = tuple(sorted(str(p.relative_to(layouts)) for p in layouts.rglob("*") if p.is_file())) if layouts.is_dir() else ()
        if self._env is None or key != self._env_key:
            self._env, self._env_key = make_env(self.project), key
        return self._env

    def _font_configuration(self):
        if self._font_config is None:
            from weasyprint.text.fonts import FontConfiguration
            self._font_config = FontConfiguration()
        return self._font_config

    def _layout(self, full_html, css, cfg, checked, env, fonts_changed=False):
        """Lay out the booklet: only what changed when that is safe, else all.
        (*full_html*() gives the whole booklet's HTML: an edit laid out in page
        groups does not need it before the PDFs are out.)

        Content edits change some chunks' HTML; a stylesheet edit is judged
        by stylediff: colours only → the pages are restyled in place; layout
        scoped to some selectors → the chunks they select are laid out again;
        anything else → a full layout.
        """
        from .render import incremental, stylediff
        from .render.split import find_split as split_places
        order = incremental.part_ids(checked.content.units)

        def chunk_html(parts, first_page, numbers):
            return build_html(self.project, cfg, checked.content, checked.faces, env=env, css=css, parts=set(parts),
                              page_numbers=numbers if "contents" in parts else None,
                              chunk_css=incremental.chunk_css(first_page))[0]

        plan = self._plan
        self.last_strategy = "full layout: a font file changed" if fonts_changed else "full layout"
        if plan is not None and plan.part_order == order and self._supports_parts(env):
            numbers = plan.page_numbers
            fresh = [chunk_html(c.parts, c.first_page, numbers) for c in plan.chunks]
            stamps: dict = {}
            keys = [incremental.body_key(h, css, self._base_url, stamps) for h in fresh]
            changed = {i for i, (c, k) in enumerate(zip(plan.chunks, keys)) if k != c.key}
            change = stylediff.compare(self._css, css)
            if change.kind == "paint" or change.repaint:
                try:
                    self._restyle(css)
                except Exception as exc:   # CannotRestyle, or a WeasyPrint internal we did not foresee
                    change = stylediff.StyleChange("global", f"colours could not be repainted: {exc}")
            if change.kind == "scoped":
                changed |= {i for i, h in enumerate(fresh) if i not in changed and incremental.matches(h, change.selectors, css)}
            elif change.kind == "global":
                changed = set(range(len(plan.chunks)))
            limit = max(2, len(plan.chunks) // 4)    # beyond that, one full layout is cheaper
            if len(changed) <= limit:
                chunks = list(plan.chunks)
                warnings = list(self._wp_warnings)
                for i in sorted(changed):
                    doc_c, w = self._render(fresh[i], css)
                    old = chunks[i]
                    starts = incremental.part_starts(doc_c.pages, old.first_page, set(old.parts))
                    if len(doc_c.pages) != len(old.pages) or any(starts[p] != numbers[p] for p in old.parts):
                        break                       # page numbers would move: lay out everything
                    chunks[i] = incremental.Chunk(old.parts, old.first_page, doc_c.pages, keys[i], old.blank_before,
                                                  split=split_places(doc_c.pages, old.first_page, old.parts[0]),
                                                  weight=incremental.layout_weight(old.blank_before + doc_c.pages))
                    self._sources.update((id(p), doc_c._html) for p in doc_c.pages)
                    warnings += w
                else:
                    self._plan = incremental.Plan(chunks, order, numbers)
                    self._css = css
                    kept = incremental.merged_pages(self._plan)
                    self._sources = {id(p): self._sources[id(p)] for p in kept}   # let replaced trees go
                    parts = [p for i in sorted(changed) for p in chunks[i].parts]
                    how = ["colours repainted without layout"] if change.kind == "paint" or change.repaint else []
                    if parts:
                        how.append("laid out again: " + ", ".join(parts[:3]) + (f" and {len(parts) - 3} more" if len(parts) > 3 else ""))
                    self.last_strategy = "; ".join(how) or "nothing to lay out"
                    return self._last_doc.copy(kept), warnings
            if change.kind == "global":
                self.last_strategy = f"full layout: {change.reason}"
            elif len(changed) > limit:
                self.last_strategy = f"full layout: the edit reaches {len(changed)} of {len(plan.chunks)} page groups"
        doc, warnings = self._render(full_html(), css)
        self._last_doc, self._wp_warnings, self._css = doc, warnings, css
        self._sources = {id(p): doc._html for p in doc.pages}
        plan = incremental.plan_from_document(doc, order) if self._supports_parts(env) else None
        if plan is not None:
            numbers = plan.page_numbers
            stamps = {}
            for c in plan.chunks:
                c.key = incremental.body_key(chunk_html(c.parts, c.first_page, numbers), css, self._base_url, stamps)
        self._plan = plan
        return doc, warnings

    def _check_fonts(self, faces) -> bool:
        """A font file replaced or added under fonts/ while watching: start afresh.

        WeasyPrint registers a @font-face once per FontConfiguration, by its
        descriptors, and the kept pages hold the old glyphs; neither would
        notice a new file behind the same URL. Returns whether that happened.
        """
        key = tuple((str(f.path), fsutil.file_stamp(f.path)) for f in faces)
        changed = bool(self._font_key) and key != self._font_key
        if changed:
            self._font_config, self._plan = None, None
        self._font_key = key
        return changed

    def _render(self, html: str, css: str):
        try:
            doc, warnings = render_document(html, self.project, font_config=self._font_configuration(),
                                            image_cache=self._images.refresh())
        finally:
            self._images.remember()
        return doc, locate_warnings(warnings, html, css)

    def _restyle(self, css: str) -> None:
        """Repaint the kept pages for a colour-only edit (restyle.py)."""
        from .render import incremental
        from .render.restyle import CannotRestyle, restyle
        by_source: dict[int, tuple] = {}
        for page in incremental.merged_pages(self._plan):
            html = self._sources.get(id(page))
            if html is None:
                raise CannotRestyle("a page of unknown origin")
            by_source.setdefault(id(html), (html, []))[1].append(page)
        changed = restyle(list(by_source.values()), self._css, css, self._font_configuration())
        for page_id, digest in changed.items():
            old = self._fingerprints.get(page_id, "")
            self._fingerprints[page_id] = hashlib.blake2b((old + digest).encode(), digest_size=12).hexdigest()
        self._css = css

    def _groups(self, doc) -> list[list] | None:
        """The pages cut into page groups, each written to a PDF of its own:
        a chunk's pages (or a piece's, where _pieces_of() cuts a part) and
        the blank pages that follow it (made by the next chunk's forced
        break). None when the pages are not the plan's."""
        plan = self._plan
        if plan is None:
            return None
        from .render import split
        groups = []
        total = len(doc.pages)
        for i, chunk in enumerate(plan.chunks):
            pages = list(chunk.blank_before) if i == 0 else []
            # a part cut into pieces for the parallel build: its pieces' groups, alike in both ways of building
            at = [page - chunk.first_page for _, page in
                  split.cuts(chunk.split, chunk.first_page, len(chunk.pages), total, self._workers())]
            for lo, hi in zip([0] + at, at):
                groups.append(pages + chunk.pages[lo:hi])
                pages = []
            pages += chunk.pages[at[-1] if at else 0:]
            if i + 1 < len(plan.chunks):
                pages += plan.chunks[i + 1].blank_before
            groups.append(pages)
        if [id(p) for g in groups for p in g] != [id(p) for p in doc.pages]:
            return None
        return groups

    def _known_fonts(self, faces) -> dict[str, Path]:
        """Font file digest → path, for the merge to find each face's file."""
        from .parallel.chunkpdf import file_font_digest
        known = {}
        for face in faces:
            stamp = fsutil.file_stamp(face.path)
            cached = self._font_digests.get(face.path)
            if cached is None or cached[0] != stamp:
                cached = self._font_digests[face.path] = (stamp, file_font_digest(face.path))
            known[cached[1]] = face.path
        return known

    def _group_pdfs(self, doc, cfg, faces, policy) -> list | None:
        """Each page group's PDF with both editions' pages done (parallel/pieces.py),
        or None with one worker (the one-piece reference path) or no plan.

        A group whose pages did not change since the last build keeps what
        it had; the others are drawn, side by side in forked workers when
        there are several (a full layout) and in this process when there
        is one (an edit)."""
        from .parallel.pool import draw_groups
        groups = self._groups(doc) if self._workers() > 1 else None
        if groups is None:
            return None
        known = self._known_fonts(faces)
        variant = "pdf/ua-1"
        made = (float(cfg.output.digital_image_dpi), repr(policy), tuple(sorted(known)))
        if made != self._pieces_made:       # what the editions' page work depends on changed
            self._drop_pieces(self._pieces)
            self._pieces, self._pieces_made = {}, made
        keys, firsts, at = [], [], 1
        for pages in groups:
            keys.append((at, tuple((id(p), self._fingerprints[id(p)]) for p in pages)))
            firsts.append(at)
            at += len(pages)
        missing = [i for i, key in enumerate(keys) if key not in self._pieces]
        drawn = draw_groups(doc, [groups[i] for i in missing], [firsts[i] for i in missing], variant, known,
                            cfg, policy, self._workers())
        for i, group in zip(missing, drawn):
            self._pieces[keys[i]] = group
        self._drop_pieces({k: g for k, g in self._pieces.items() if k not in set(keys)})
        self._pieces = {key: self._pieces[key] for key in keys}
        return [self._pieces[key] for key in keys]

    @staticmethod
    def _drop_pieces(pieces: dict) -> None:
        for group in pieces.values():
            group.close()

    def _parallel(self, cfg, checked, env, css, policy):
        """Lay the booklet out in worker processes from the last build's plan.

        Returns (fingerprints, overflows, warnings, the groups' PDFs, fonts),
        or None when there is no usable plan or the layout did not follow it
        (a group changed its page count, or a part would not start a fresh
        page by its own style): the caller then lays out in one piece.
        """
        from .parallel import pool
        from .render import incremental
        saved = incremental.load_plan(cfg.output_dir)
        order = incremental.part_ids(checked.content.units)
        if saved is None or saved["order"] != order:
            return None
        chunks, numbers = saved["chunks"], saved["numbers"]
        known = self._known_fonts(checked.faces)
        font_config = self._font_configuration()
        # Register the faces before the workers fork, so they share one font configuration.
        render_document(f"<html><head><style>{css}</style></head><body></body></html>", self.project,
                        font_config=font_config)
        pieces = self._pieces_of(chunks)
        spans = pool.runs([p.weight for p in pieces], self._workers() * 3)
        tasks, expected = [], []
        for a, b in spans:
            run = pieces[a:b]
            parts = list(dict.fromkeys(p for piece in run for p in piece.parts))
            html = build_html(self.project, cfg, checked.content, checked.faces, env=env, css=css, parts=set(parts),
                              page_numbers=numbers if "contents" in parts else None,
                              chunk_css=incremental.chunk_css(run[0].first_page))[0]
            if b < len(pieces):
                if html.count("</body>") != 1:
                    return None
                side = "right" if pieces[b].first_page % 2 else "left"
                html = html.replace("</body>", pool.closing_break(side) + "</body>")
            # one PDF per piece, cut as _groups() cuts them: its pages and the blank pages after it
            slices = [p.pages + (pieces[i + 1].blanks if i + 1 < len(pieces) else 0) for i, p in zip(range(a, b), run)]
            blanks = [False] * sum(slices)
            at = 0
            for i, size in zip(range(a, b), slices):
                after = pieces[i + 1].blanks if i + 1 < len(pieces) else 0
                blanks[at + size - after:at + size] = [True] * after
                at += size
            expected.append(blanks)
            shown: dict = {}                    # part cut into pieces → (first child, end child, marks) in this run
            for piece in run:
                if piece.cut is not None:
                    section, lo, hi, keep = piece.cut
                    shown[section] = (shown.get(section, (lo,))[0], hi, keep)
            cut = [(section, lo, hi, keep) for section, (lo, hi, keep) in shown.items() if lo or hi is not None]
            tasks.append(pool.GroupTask(html, str(self.project), run[0].first_page, tuple(parts), slices,
                                        "pdf/ua-1", frozenset(known), cfg, policy, cut))
        results = pool.run(tasks, self._workers(), [sum(p.weight for p in pieces[a:b]) for a, b in spans], font_config)
        for (a, b), task, result, blanks in zip(spans, tasks, results, expected):
            run = pieces[a:b]
            continues = run[0].cut is not None and run[0].cut[1] > 0
            starting = [p for p in task.parts if not (continues and p == run[0].parts[0])]
            if result.pages != sum(task.slices) or any(result.starts.get(p) != numbers.get(p) for p in starting):
                return None
            if any(want and not got for want, got in zip(blanks, result.blank)):
                return None
            for piece in run:                   # each piece of a cut part starts where and as the plan says
                if piece.cut is not None and piece.cut[1]:
                    section, lo = piece.cut[:2]
                    page, how = result.child_breaks.get(section, {}).get(lo, (0, "auto"))
                    if page != piece.first_page or how not in pool.FORCED:
                        return None
            if a and not continues and (result.break_before not in pool.FORCED
                                        or (run[0].blanks and result.break_before == "page")):
                return None
        warnings: list[str] = []
        for task, result in zip(tasks, results):
            warnings += [w for w in locate_warnings(result.warnings, task.html, css) if w not in warnings]
        fingerprints = [f for r in results for f in r.fingerprints]
        overflows = [o for r in results for o in r.overflows]
        groups = [group for r in results for group in r.groups]
        self.last_runs = [r.cpu for r in results]
        cut = sum(1 for p in pieces if p.cut is not None and p.cut[1])
        self.last_strategy = (f"laid out in {len(tasks)} runs of page groups on "
                              f"{min(self._workers(), len(tasks))} processes"
                              + (f" ({cut} cuts inside parts)" if cut else ""))
        return fingerprints, overflows, warnings, groups, known

    def _pieces_of(self, chunks) -> list["_Piece"]:
        """The saved plan's chunks as the page groups the parallel build lays
        out: a chunk whose first part holds too large a share of the pages
        for the workers is cut into pieces (render/split.py)."""
        from .render import split
        total = sum(c[2] + c[3] for c in chunks)
        pieces = []
        for parts, first, pages, blanks, places, weight in chunks:
            cuts = split.cuts(places, first, pages, total, self._workers())
            if not cuts:
                pieces.append(_Piece(parts, first, pages, blanks, weight))
                continue
            starts = [first] + [page for _, page in cuts] + [first + pages]
            los = [0] + [i for i, _ in cuts]
            his = [i for i, _ in cuts] + [None]
            for k, (lo, hi) in enumerate(zip(los, his)):
                last = k == len(cuts)
                size = starts[k + 1] - starts[k]       # the part's weight shared by pages
                pieces.append(_Piece(parts if last else parts[:1], starts[k], size, blanks if k == 0 else 0,
                                     weight * size // max(1, pages + blanks), (parts[0], lo, hi, tuple(places["keep"]))))
        return pieces

    def _workers(self) -> int:
        if self.workers is not None:
            return self.workers or default_workers()
        return self._cfg_workers or default_workers()

    @staticmethod
    def _supports_parts(env) -> bool:
        """A project's own booklet.html may not know about `parts`."""
        source, _, _ = env.loader.get_source(env, "booklet.html")
        return "parts" in source

    def write_reflow(self, progress: Progress = _quiet):
        """The EPUB and the web edition from what the last build loaded and rendered.

        `booklet watch` builds the PDFs first (`build(reflow=False)`), shows
        them, then calls this: the phone editions follow a moment later.
        """
        from .reflow.editions import write_reflow
        if self._last_inputs is None:
            raise BookletError("nothing built yet", hint="run a build first")
        cfg, content, faces, digital, env = self._last_inputs
        progress("epub+web")
        return write_reflow(cfg, content, cfg.output_dir, cover_pdf=digital, faces=faces, env=env)

    def build(self, progress: Progress = _quiet, *, write: bool = True, final: bool = False,
              reflow: bool = True, digital_first: Callable[[Path], None] | None = None,
              give_way: Callable[[], bool] | None = None) -> BuildResult:
        """Build both editions; with *final*, refuse a print edition that is not press-ready;
        with *reflow*, the EPUB and web edition too. With *digital_first* (watch),
        the digital PDF is written as soon as it is made and the callback told,
        before the print edition and its preflight; then, if *give_way*() says
        a newer save is waiting (asked once the digital PDF is out and again
        before the preflight), Superseded is raised instead of going on (the
        kept layout and page groups are this build's: the next build starts
        from them)."""
        start = time.perf_counter()
        project = self.project
        checked = check_project(project, progress, self._content_memo)
        if checked.errors:
            raise BookletError(f"{len(checked.errors)} problem(s) found, nothing was written:\n  "
                               + "\n  ".join(checked.errors))
        cfg = checked.config
        self._cfg_workers = cfg.output.workers
        self.pdf_note = ""
        policy = policy_from_config(cfg)
        from .colours import converter
        converter(policy)     # made once here: forked workers inherit it, and an edit's groups find it made
        fonts_changed = self._check_fonts(checked.faces)
        progress("html")
        env = self._environment()
        css = render_css(env, cfg, checked.faces)
        full_html = functools.cache(lambda: build_html(project, cfg, checked.content, checked.faces, env=env, css=css)[0])
        progress("layout")
        side_by_side = groups = doc = None
        if self.parallel and self._plan is None and self._workers() > 1 and self._supports_parts(env):
            side_by_side = self._parallel(cfg, checked, env, css, policy)
        if side_by_side is not None:
            fingerprints, overflows, wp_warnings, groups, known = side_by_side
        else:
            doc, wp_warnings = self._layout(full_html, css, cfg, checked, env, fonts_changed)
            # Drawing changes a page's boxes, so a reused page keeps the fingerprint it had when new.
            new = [p for p in doc.pages if id(p) not in self._fingerprints]
            fresh = dict(zip(map(id, new), page_fingerprints(new)))
            self._fingerprints = {id(p): self._fingerprints.get(id(p)) or fresh[id(p)] for p in doc.pages}
            fingerprints = [self._fingerprints[id(p)] for p in doc.pages]
            overflows = overflow_report(doc, memo=self._overflows)
        progress("pdf")
        # The digital edition is a tagged PDF (PDF/UA-1: structure tree, reading
        # order, language) for screen readers. The print edition is made from the
        # same write (a second one costs 1.6 s for the sample): it goes to inks
        # (pdf/colour.py) and gets its PDF/X keys, version and output intent there.
        # Written in page groups (booklet.parallel), each edition's page work is
        # done per group, and each edition is a merge of the groups.
        raw = beside = print_made = None
        side_by_side_pdfs = digital_first is None and self.parallel and self._workers() > 1
        if doc is not None:
            groups = self._group_pdfs(doc, cfg, checked.faces, policy)
            known = self._known_fonts(checked.faces) if groups is not None else None
        if groups is not None:
            from .parallel import pieces
            from .pdf.merge import MergeError
            if side_by_side_pdfs:
                # the print edition and its preflight in another process while this one
                # merges the digital edition and makes the EPUB and web edition
                beside, print_made = _print_beside(groups, known, cfg, policy, final)
            forked = time.process_time()
            try:
                digital, digital_report = pieces.digital_edition(groups, known, cfg)
            except BaseException as exc:
                if beside is not None:            # its print edition is of no use now
                    beside.__exit__(None, None, None)
                    beside = print_made = None
                if not isinstance(exc, MergeError) or doc is None:
                    raise
                self.pdf_note, groups = f"PDF written in one piece: {exc}", None
        if print_made is not None:
            forked_after = time.process_time() - forked
        if groups is None:
            raw = doc.write_pdf(pdf_variant="pdf/ua-1")
            if side_by_side_pdfs:
                # the digital edition in another process while this one makes the print edition and preflights it
                from .parallel.pool import Forked
                beside = Forked(1)
                digital_made = beside.__enter__().apply_async(digital_edition, (raw, cfg))
            else:
                digital, digital_report = digital_edition(raw, cfg)
        out = cfg.output_dir
        print_path, digital_path = out / cfg.output.print, out / cfg.output.digital
        if write and digital_first is not None:
            # watch: the designer looks at the digital PDF; print, preflight and previews follow
            fsutil.write_bytes(digital_path, digital)
            digital_first(digital_path)
        gave_way = _give_way_check(give_way if write and digital_first is not None else None)
        gave_way()
        staged = None

        def reflow_editions():
            from .reflow.editions import prepare
            progress("epub+web")
            return prepare(cfg, checked.content, out, cover_pdf=digital, faces=checked.faces, env=env)
        try:
            try:
                if print_made is not None:
                    meanwhile = time.process_time()
                    if reflow:
                        staged = reflow_editions()
                    progress("preflight")
                    print_data, print_report, checked_print, child_cpu = print_made.get()
                    self.last_beside = (child_cpu, time.process_time() - meanwhile + forked_after)
                else:
                    if groups is not None:
                        print_data, print_report = pieces.print_edition(groups, known, cfg, policy)
                    else:
                        print_data, print_report = make_print_edition(raw, cfg, policy=policy)
                    gave_way()
                    progress("preflight")
                    checked_print = preflight(print_data, cfg, final=final)
                    if beside is not None:
                        digital, digital_report = digital_made.get()
            finally:
                if beside is not None:
                    beside.__exit__(None, None, None)
            if final:
                problems = final_problems(checked, checked_print)
                if problems:
                    raise BookletError(f"the print edition is not press-ready: {len(problems)} problem(s), nothing was "
                                       "written:\n  " + "\n  ".join(problems))
            if checked_print.errors:
                raise BookletError("the print PDF fails preflight, nothing was written:\n  " + "\n  ".join(checked_print.errors))
            warnings = (list(checked.warnings) + overflows + [f"WeasyPrint: {w}" for w in wp_warnings]
                        + print_report.warnings + digital_report.warnings + [f"preflight: {w}" for w in checked_print.warnings])
            if print_report.blank_pages:
                warnings.append(f"added {print_report.blank_pages_added} blank page(s) before the back cover "
                                f"(pages {', '.join(map(str, print_report.blank_pages))}) "
                                f"to reach a multiple of {cfg.output.pages_multiple}")
            self._last_inputs = (cfg, checked.content, checked.faces, digital, env)
            sizes = {"print": len(print_data), "digital": len(digital)}
            outputs = [(print_path, f"print PDF, {print_report.pages} pages, {_mb(len(print_data))}"),
                       (digital_path, f"digital PDF, {_mb(len(digital))}")]
            html = full_html()       # made by now if the layout needed it; a template error stops the build here
            if reflow and staged is None:
                staged = reflow_editions()
            if staged is not None:
                sizes.update(epub=len(staged.epub.data), web=staged.web.bytes)
                outputs += [(staged.epub_path, f"EPUB 3, {staged.epub.documents} documents, {_mb(len(staged.epub.data))}"
                             + (f", fonts embedded ({', '.join(staged.epub.fonts)})" if staged.epub.fonts else "")),
                            (staged.web_path, f"web edition, {staged.web.pages} pages, {staged.web.images} images, "
                             f"{_mb(staged.web.bytes)}")]
            if write:
                progress("write")
                fsutil.write_bytes(print_path, print_data)
                if digital_first is None:
                    fsutil.write_bytes(digital_path, digital)
                fsutil.write_text(out / "booklet.html", html)
                if self._plan is not None:
                    from .render.incremental import save_plan
                    save_plan(self._plan, out)
                if staged is not None:
                    staged.commit()
        finally:
            if staged is not None and staged.staged_web.exists():
                staged.discard()
        blanks = set(print_report.blank_pages)
        print_numbers = [n for n in range(1, print_report.pages + 1) if n not in blanks]
        assert len(print_numbers) == len(fingerprints), (len(print_numbers), len(fingerprints))
        variant = PDFX_NAMES.get(cfg.output.pdf_variant, "plain PDF (no PDF/X)")
        summary = f"{variant}, output intent {print_report.output_intent}" if print_report.output_intent else variant
        summary += "; " + print_report.inks()
        return BuildResult(print_path, digital_path, print_report.pages, print_report.blank_pages_added,
                           time.perf_counter() - start, warnings, sizes, fingerprints, self.last_strategy,
                           press_ready=final, print_summary=summary, print_numbers=print_numbers,
                           outputs=outputs, reflow_seconds=staged.seconds if staged is not None else 0.0)


@dataclass
class _Piece:
    """A page group of the parallel build: a chunk of the plan, or a piece of one."""
    parts: tuple[str, ...]
    first_page: int
    pages: int
    blanks: int                   # blank pages before it
    weight: int                   # what laying it out costs, estimated (incremental.layout_weight)
    cut: tuple | None = None      # (part id, first child, end child or None, marks) when a part is cut


_BESIDE: tuple = ()      # what the process forked by _print_beside finds at its start


def _print_beside(groups, known, cfg, policy, final):
    """Fork a process that merges the print edition from the page groups and
    preflights it; returns (the Forked pool, its pending result). The groups
    reach the child through the fork, not pickled (tens of megabytes)."""
    global _BESIDE
    from .parallel.pool import Forked
    _BESIDE = (groups, known, cfg, policy, final)
    beside = Forked(1)
    try:
        made = beside.__enter__().apply_async(_print_and_preflight)
    finally:
        _BESIDE = ()
    return beside, made


def _print_and_preflight():
    from .parallel import pieces
    started = time.process_time()
    groups, known, cfg, policy, final = _BESIDE
    print_data, print_report = pieces.print_edition(groups, known, cfg, policy)
    checked = preflight(print_data, cfg, final=final)
    return print_data, print_report, checked, time.process_time() - started


def _give_way_check(give_way: Callable[[], bool] | None) -> Callable[[], None]:
    """Raises Superseded when *give_way* says a newer save waits (see Builder.build)."""
    def check() -> None:
        if give_way is not None and give_way():
            raise Superseded
    return check


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.0f} KB"


def build(project: Path, progress: Progress = _quiet, *, write: bool = True, final: bool = False,
          reflow: bool = True, workers: int | None = None) -> BuildResult:
    return Builder(project, workers=workers, parallel=True).build(progress, write=write, final=final, reflow=reflow)
