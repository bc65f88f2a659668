"""``booklet import RAW.txt``: raw PDF text -> content/ files and a report.

:func:`import_raw` reads the raw bytes, refuses bad input before touching
anything, runs the cleaner (:mod:`booklet.importing.clean`) and the segmenter
(:mod:`booklet.importing.segment`) with the editor corrections in
``content/corrections.yaml``, and writes

* ``content/NN-kind.md`` — one file per unit (YAML front matter + body),
* ``content/honourees.yaml``,
* ``content/units.yaml`` — the ordered ``units:`` list (:func:`write_units_list`),
* ``output/import-report.html`` — every change and every uncertain decision.

Re-import is safe: ``content/.import-manifest.json`` records the sha256 of
each file as the importer wrote it. A file an editor has changed since is
not overwritten; the new version goes beside it as ``NAME.new.md`` and the
result (and report) carries a unified diff — unless ``force=True``.
All files are written atomically (temp file in the same folder + os.replace).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import clean
from .clean import Change
from ..content import META_FIELDS
from .corrections import Corrections, apply_line_moves, check_expectations, load_corrections
from ..errors import BookletError
from .masthead import KEYS as META_KEYS, IssueMeta, guess_meta, meta_changes
from .segment import Document, Honouree, Unit, segment

MANIFEST = ".import-manifest.json"
REPORT = "output/import-report.html"


# ---------------------------------------------------------------- results


@dataclass
class Conflict:
    path: str          # the file the editor changed (relative to the project)
    new_path: str      # where the importer's version was written
    diff: str          # unified diff: editor's file -> importer's version


@dataclass
class ImportResult:
    units: list[dict]                        # {file, kind, title, source_lines}
    units_list: list[str]                    # for booklet.yaml ``units:``
    honourees: int
    with_testimonial: int
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    overwritten: list[str] = field(default_factory=list)   # edited files replaced because force=True
    stale: list[str] = field(default_factory=list)         # earlier imported files no longer produced
    review: list[Change] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    report: Path | None = None
    document: Document | None = None
    meta: IssueMeta | None = None            # the issue's title, number, date, publisher (printed or guessed)


# ---------------------------------------------------------------- reading


def decode_raw(data: bytes, name: str = "raw text") -> str:
    """Bytes -> text, or a BookletError that names the file and line, says what
    is wrong and how to fix it."""
    def at(offset: int) -> str:
        line = data[:offset].count(b"\n") + 1
        return f"{name}, line {line}"

    if not data.strip():
        raise BookletError("the file is empty", where=f"{name}, line 1", hint="export the text of the PDF into it first")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BookletError("the file is UTF-16, not UTF-8", where=f"{name}, line 1",
                           hint=f"convert it: iconv -f UTF-16 -t UTF-8 {name} > {Path(name).stem}.utf8.txt")
    if b"\x00" in data:
        raise BookletError("the file holds binary data (NUL bytes), not text", where=at(data.index(b"\x00")),
                           hint="give the text exported from the PDF (e.g. pdftotext), not the PDF or a word-processor file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        try:
            guess = data.decode("gb18030")
            looks_gbk = sum(1 for ch in guess if clean.is_han(ch)) >= max(1, len(guess) // 10)
        except UnicodeDecodeError:
            looks_gbk = False
        if looks_gbk:
            raise BookletError(f"the file is not UTF-8 (first bad byte on line {line}); it looks like GBK/GB18030",
                               where=at(exc.start),
                               hint=f"convert it: iconv -f GBK -t UTF-8 {name} > {Path(name).stem}.utf8.txt") from None
        raise BookletError(f"the file is not UTF-8 text (first bad byte on line {line})", where=at(exc.start),
                           hint="save it as UTF-8; if it is binary (a PDF, a .doc), export its text first") from None
    control = [i for i, ch in enumerate(text) if ord(ch) < 32 and ch not in "\n\r\t\f"]
    if len(control) > max(3, len(text) // 100):
        line = text[:control[0]].count("\n") + 1
        raise BookletError(f"the file looks binary ({len(control)} control characters)", where=f"{name}, line {line}",
                           hint="give the text exported from the PDF, not the PDF itself")
    return text


def _nothing_recognisable(text: str, name: str) -> BookletError:
    first = next((i for i, l in enumerate(text.split("\n"), 1) if l.strip()), 1)
    return BookletError("no recognisable units (paragraphs, speeches, rosters…) in the text: from here to its end "
                        "there are only page numbers, ornaments or stray characters", where=f"{name}, line {first}",
                        hint="is this the text exported from the magazine PDF?")


def build_document(text: str, corrections: Corrections | None = None, name: str = "raw text") -> Document:
    """Run the whole pipeline on raw text (no files written)."""
    corr = corrections or Corrections()
    lines = clean.split_lines(text)
    if not any(sum(1 for ch in l.text if clean.is_han(ch)) >= 2 for l in clean.clean_lines(lines)[0]):
        raise _nothing_recognisable(text, name)
    raw_lines = {i + 1: t for i, t in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))}
    check_expectations(corr, raw_lines)
    lines, moved = apply_line_moves(lines, corr)
    lines, changes = clean.clean_lines(lines)
    doc = segment(lines, corr)
    doc.changes = moved + changes + doc.changes
    if corr.raw_sha256:
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if sha != corr.raw_sha256:
            doc.changes.insert(0, Change("corrections", 0, corr.raw_sha256[:12], sha[:12], uncertain=True,
                                         note="corrections.yaml was written for another version of the raw text; "
                                              "check that its line numbers still fit"))
    if not any(u.blocks or u.kind in ("roster", "testimonials") for u in doc.units):
        raise _nothing_recognisable(text, name)
    return doc


# ---------------------------------------------------------------- rendering


class _Dumper(yaml.SafeDumper):
    pass


class _Literal(str):
    pass


_Dumper.add_representer(_Literal, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", str(s), style="|"))


def _dump(data: object) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1_000_000,
                     default_flow_style=None)


def render_unit(u: Unit) -> str:
    meta: dict = {}
    for key in META_FIELDS:
        value = getattr(u, key)
        if key == "vertical_title":
            if value:
                meta[key] = True
        elif value:
            meta[key] = value
    meta["source_lines"] = [int(u.source_lines[0]), int(u.source_lines[1])]
    body = []
    for b in u.blocks:
        if b.kind == "h2":
            body.append("## " + b.text)
        elif b.kind == "figure":
            body.append(f"![{b.text}]({b.src})")
        else:
            body.append(b.text)
    return "---\n" + _dump(meta) + "---\n" + "\n\n".join(body) + ("\n" if body else "")


def render_honourees(people: list[Honouree]) -> str:
    items = []
    for h in people:
        d: dict = {"id": h.id, "name": h.name}
        if h.gender:
            d["gender"] = h.gender
        if h.ethnicity:
            d["ethnicity"] = h.ethnicity
        if h.group:                          # people listed without a group have none
            d["group"] = h.group
        d["affiliation"] = h.affiliation
        if h.post:
            d["post"] = h.post
        if h.testimonial:
            d["testimonial"] = _Literal("\n\n".join(h.testimonial))
        d["source_lines"] = [int(h.source_lines[0]), int(h.source_lines[1])]
        items.append(d)
    head = ("# Generated by `booklet import` from the roster and testimonial pages.\n"
            "# source_lines: the roster line(s) of each person in the raw text.\n")
    return head + _dump({"honourees": items})


def unit_filenames(units: list[Unit]) -> list[str]:
    return [f"{i:02d}-{u.kind}.md" for i, u in enumerate(units, 1)]


def render_units_list(files: list[str]) -> str:
    return ("# The order of the units, for booklet.yaml (`units:`). Generated by `booklet import`.\n"
            + yaml.dump({"units": [f"content/{f}" for f in files]}, Dumper=_Dumper, allow_unicode=True,
                        sort_keys=False, default_flow_style=False))


# ---------------------------------------------------------------- writing


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (temp file in the same folder, then os.replace)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _new_name(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.new.{ext}" if dot else name + ".new"


class _Writer:
    """Writes content files, keeping editors' changes (see module docstring)."""

    def __init__(self, project: Path, force: bool):
        self.project = project
        self.content = project / "content"
        self.force = force
        self.manifest_path = self.content / MANIFEST
        self.manifest = self._load_manifest()
        self.files: dict[str, str] = dict(self.manifest.get("files", {}))
        self.pending_new: set[str] = set(self.manifest.get("new_files", []))
        self.written: list[str] = []
        self.unchanged: list[str] = []
        self.conflicts: list[Conflict] = []
        self.overwritten: list[str] = []
        self.produced: set[str] = set()

    def _load_manifest(self) -> dict:
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except (FileNotFoundError, ValueError):
            return {}

    def write(self, name: str, text: str) -> None:
        self.produced.add(name)
        path = self.content / name
        rel = f"content/{name}"
        new_sha = sha256_text(text)
        if path.exists():
            on_disk = path.read_text(encoding="utf-8", errors="replace")
            disk_sha = sha256_text(on_disk)
            if disk_sha == new_sha:
                self.files[name] = new_sha
                self.unchanged.append(rel)
                self._drop_new(name)
                return
            edited = self.files.get(name) != disk_sha
            if edited and not self.force:
                new_name = _new_name(name)
                atomic_write(self.content / new_name, text)
                self.pending_new.add(new_name)
                diff = "".join(difflib.unified_diff(on_disk.splitlines(True), text.splitlines(True),
                                                    fromfile=rel, tofile=f"content/{new_name}"))
                self.conflicts.append(Conflict(rel, f"content/{new_name}", diff))
                return
            if edited:
                self.overwritten.append(rel)
        atomic_write(path, text)
        self.files[name] = new_sha
        self.written.append(rel)
        self._drop_new(name)

    def _drop_new(self, name: str) -> None:
        new_name = _new_name(name)
        if new_name in self.pending_new:
            try:
                (self.content / new_name).unlink()
            except FileNotFoundError:
                pass
            self.pending_new.discard(new_name)

    def stale(self) -> list[str]:
        return sorted(f"content/{n}" for n in self.files if n not in self.produced and (self.content / n).exists())

    def save_manifest(self, raw_sha: str) -> None:
        data = {"version": 1, "raw_sha256": raw_sha,
                "files": dict(sorted(self.files.items())), "new_files": sorted(self.pending_new)}
        atomic_write(self.manifest_path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def write_units_list(project_dir: Path, units_list: list[str], *, force: bool = False) -> ImportResult:
    """Write ``content/units.yaml`` (the ``units:`` order) with the same edit protection."""
    w = _Writer(Path(project_dir), force)
    files = [u.split("/", 1)[1] if u.startswith("content/") else u for u in units_list]
    w.write("units.yaml", render_units_list(files))
    w.save_manifest(w.manifest.get("raw_sha256", ""))
    return ImportResult([], units_list, 0, 0, w.written, w.unchanged, w.conflicts, w.overwritten)


def import_raw(raw_path: Path | str, project_dir: Path | str, *, force: bool = False,
               issue_meta: bool = False) -> ImportResult:
    """Import RAW.txt into ``project_dir/content`` (see the module docstring).

    ``issue_meta``: also settle the issue's title, subtitle, number, date and
    publisher for a new project's booklet.yaml (``result.meta``): as the
    masthead prints them, the rest guessed or left empty, each guess an
    uncertain entry of the report."""
    raw_path = Path(raw_path)
    project = Path(project_dir)
    try:
        data = raw_path.read_bytes()
    except FileNotFoundError:
        raise BookletError("file not found", where=str(raw_path)) from None
    except IsADirectoryError:
        raise BookletError("this is a folder, not a text file", where=str(raw_path)) from None
    text = decode_raw(data, str(raw_path))
    corr = load_corrections(project / "content" / "corrections.yaml")
    doc = build_document(text, corr, str(raw_path))      # everything checked before anything is written
    meta = doc.meta
    if issue_meta:
        groups = list(dict.fromkeys(h.group for h in doc.honourees if h.group))
        meta = guess_meta(doc.meta, doc.units, groups, clean.split_lines(text))
        doc.changes.extend(meta_changes(meta, printed=False))

    files = unit_filenames(doc.units)
    rendered = [(f, render_unit(u)) for f, u in zip(files, doc.units)]
    rendered.append(("honourees.yaml", render_honourees(doc.honourees)))
    units_list = [f"content/{f}" for f in files]

    w = _Writer(project, force)
    for name, body in rendered:
        w.write(name, body)
    w.write("units.yaml", render_units_list(files))
    raw_sha = hashlib.sha256(data).hexdigest()
    w.save_manifest(raw_sha)

    result = ImportResult(
        units=[{"file": f"content/{f}", "kind": u.kind, "title": u.title, "source_lines": list(u.source_lines)}
               for f, u in zip(files, doc.units)],
        units_list=units_list,
        honourees=len(doc.honourees),
        with_testimonial=sum(1 for h in doc.honourees if h.testimonial),
        written=w.written, unchanged=w.unchanged, conflicts=w.conflicts, overwritten=w.overwritten,
        stale=w.stale(), review=doc.review, changes=doc.changes, document=doc, meta=meta,
    )
    result.report = write_report(project / REPORT, result, raw_path, text)
    return result


# ---------------------------------------------------------------- the report

_REPORT_TEMPLATE = """<!DOCTYPE html>
<html lang="zh-Hans"><head><meta charset="utf-8">
<title>Import report — {{ raw_name }}</title>
<style>
body { font: 14px/1.5 "Noto Sans CJK SC", sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; margin: .5em 0; }
td, th { border: 1px solid #ddd; padding: 3px 6px; vertical-align: top; text-align: left; }
th { background: #f3f3f3; } td.n { text-align: right; white-space: nowrap; }
.review { background: #fff4e5; border: 2px solid #e8a33d; padding: .5em 1em; }
.raw { color: #7a1f1f; } .clean { color: #1f5a1f; } .note { color: #555; font-size: .92em; }
pre.diff { background: #f7f7f7; padding: .5em; overflow-x: auto; font-size: 12px; }
.ok { color: #1f5a1f; }
</style></head><body>
<h1>Import report: {{ raw_name }}</h1>
<p>raw sha256 {{ raw_sha }} · {{ units|length }} units · {{ honourees }} honourees ({{ with_testimonial }} with a testimonial)
· {{ changes|length }} changes · {{ review|length }} need review</p>

<section class="review">
<h2 id="needs-review">Needs review ({{ review|length + conflicts|length }})</h2>
{% if conflicts %}
<h3>Files changed by an editor — not overwritten</h3>
{% for c in conflicts %}
<p>{{ c.path }} was edited since the last import; the new version is in <b>{{ c.new_path }}</b>.</p>
<pre class="diff">{{ c.diff }}</pre>
{% endfor %}
{% endif %}
{% if review %}
<table><tr><th>rule</th><th>line</th><th>raw text</th><th>result</th><th>why</th></tr>
{% for c in review %}<tr><td>{{ c.rule }}</td><td class="n">{{ c.source_line }}</td>
<td class="raw">{{ raw_line(c.source_line) }}</td><td class="clean">{{ c.after }}</td><td class="note">{{ c.note }}</td></tr>
{% endfor %}</table>
{% else %}<p class="ok">Nothing uncertain.</p>{% endif %}
</section>

{% if meta %}
<h2>The issue</h2>
<table><tr><th>booklet.yaml</th><th>value</th><th>from</th></tr>
{% for key in meta_keys %}<tr{% if key in meta.guessed %} style="background:#fff4e5"{% endif %}><td>{{ key }}</td>
<td>{{ meta[key] }}</td><td class="note">{% if key in meta.guessed %}{{ meta.guessed[key] }}{% elif key in meta.lines %}printed on the masthead, line {{ meta.lines[key] }}{% endif %}</td></tr>
{% endfor %}</table>
{% endif %}

<h2>Units</h2>
<table><tr><th>file</th><th>kind</th><th>title</th><th>source lines</th></tr>
{% for u in units %}<tr><td>{{ u.file }}</td><td>{{ u.kind }}</td><td>{{ u.title }}</td>
<td class="n">{{ u.source_lines[0] }}–{{ u.source_lines[1] }}</td></tr>{% endfor %}
</table>
{% if stale %}<p>Files from an earlier import that this import no longer produces (left in place): {{ stale|join(", ") }}</p>{% endif %}
{% if overwritten %}<p>Edited files overwritten (force): {{ overwritten|join(", ") }}</p>{% endif %}

<h2>Honourees</h2>
<table><tr><th>id</th><th>name</th><th>annotation</th><th>group</th><th>affiliation</th><th>post</th>
<th>roster line</th><th>testimonial lines</th></tr>
{% for h in people %}<tr><td>{{ h.id }}</td><td>{{ h.name }}</td><td>{{ h.annotation }}</td><td>{{ h.group }}</td>
<td>{{ h.affiliation }}</td><td>{{ h.post }}</td><td class="n">{{ h.source_lines[0] }}</td>
<td class="n">{% if h.testimonial_lines %}{{ h.testimonial_lines[0] }}–{{ h.testimonial_lines[1] }}{% else %}<b>none</b>{% endif %}</td></tr>
{% endfor %}</table>

<h2>Testimonial pairings</h2>
<table><tr><th>line</th><th>testimonial begins</th><th>assigned to</th><th>names as printed</th><th>decided by</th></tr>
{% for p in pairings %}<tr{% if p.uncertain %} style="background:#fff4e5"{% endif %}><td class="n">{{ p.source_line }}</td>
<td>{{ p.excerpt }}…</td><td><b>{{ p.name }}</b></td><td>{{ p.printed_name_order|join(" / ") }}</td><td class="note">{{ p.reason }}</td></tr>
{% endfor %}</table>

<h2>Removed ornaments, folios and page decorations</h2>
<table><tr><th>line</th><th>text</th><th>why</th></tr>
{% for c in removed %}<tr><td class="n">{{ c.source_line }}</td><td class="raw">{{ c.before }}</td><td class="note">{{ c.note or c.rule }}</td></tr>{% endfor %}
</table>

<h2>Every change</h2>
<table><tr><th>rule</th><th>line</th><th>raw text</th><th>before</th><th>after</th><th>note</th></tr>
{% for c in changes %}<tr><td>{{ c.rule }}{% if c.uncertain %} ⚠{% endif %}</td><td class="n">{{ c.source_line }}</td>
<td class="raw">{{ raw_line(c.source_line) }}</td><td>{{ c.before }}</td><td class="clean">{{ c.after }}</td>
<td class="note">{{ c.note }}</td></tr>
{% endfor %}</table>
</body></html>
"""


def render_report(result: ImportResult, raw_name: str, raw_text: str) -> str:
    """The import report as HTML (autoescaped)."""
    import jinja2

    raw_lines = raw_text.replace("\r\n", "\n").replace("\r", "\n").split("\n")

    def raw_line(n: int) -> str:
        return raw_lines[n - 1].strip() if 0 < n <= len(raw_lines) else ""

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    doc = result.document
    removed = [c for c in result.changes if c.rule in ("drop_folios", "drop_ornament_lines", "drop_ornament_words",
                                                       "masthead")]
    return env.from_string(_REPORT_TEMPLATE).render(
        raw_name=raw_name, raw_sha=hashlib.sha256(raw_text.encode("utf-8")).hexdigest(),
        units=result.units, honourees=result.honourees, with_testimonial=result.with_testimonial,
        changes=result.changes, conflicts=result.conflicts, stale=result.stale,
        review=sorted(result.review, key=lambda c: (c.rule == "truncated_line", c.source_line)),
        overwritten=result.overwritten, people=doc.honourees if doc else [], pairings=doc.pairings if doc else [],
        removed=removed, raw_line=raw_line, meta_keys=META_KEYS,
        meta=({**{k: getattr(result.meta, k) for k in META_KEYS}, "guessed": result.meta.guessed,
               "lines": result.meta.lines} if result.meta else None))


def write_report(path: Path, result: ImportResult, raw_path: Path, raw_text: str) -> Path:
    atomic_write(path, render_report(result, str(raw_path), raw_text))
    return path
