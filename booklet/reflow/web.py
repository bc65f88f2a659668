"""The web edition: a static site a phone reads without zooming.

index.html shows the cover and the contents; every document of the model
(model.py) is a page of its own with links to the previous and next one.
Pages are plain HTML and CSS with relative links and no script, so the
folder works opened from the file system and copied to any static host.
Images come in several widths (`srcset`) so a phone downloads a small copy
and a desktop a sharp one; each page carries Open Graph tags so a link
shared in a chat app shows a title, a line of text and a picture (with
absolute URLs when booklet.yaml's `digital.url` says where the site lives).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import jinja2
from markupsafe import Markup

from .images import SIZES, ImageStore, Variant, link_or_copy
from .model import Doc, Reflow
from .render import render_template

OG_WIDTH = 1200          # the largest copy a link preview asks for
STYLESHEETS = ("web.css", "print.css")


@dataclass
class Web:
    pages: int
    images: int
    bytes: int


@dataclass
class Download:
    """A file the site offers for download (the digital PDF, the EPUB): the
    index links to downloads/NAME, so the site copied to a host still has them."""
    name: str
    data: bytes
    kind: str                  # "pdf" or "epub": the index's template words it


def write_web(edition: Reflow, env: jinja2.Environment, store: ImageStore, dest: Path, *,
              cover: Path | None = None, downloads: list[Download] = ()) -> Web:
    """Write the site into the empty folder *dest* (the caller swaps it into place)."""
    cfg = edition.config
    placed: dict[str, Variant] = {}

    def copies(path: Path, kind: str) -> list[Variant]:
        vs = store.variants(path, SIZES[kind][0])
        for v in vs:
            placed[v.name] = v
        return vs

    def img(vs: list[Variant], alt: str, kind: str, lazy: bool = True) -> Markup:
        default = next((v for v in vs if v.width >= 480), vs[-1])
        srcset = ", ".join(f"images/{v.name} {v.width}w" for v in vs)
        return Markup('<img class="{k}" src="images/{s}" srcset="{ss}" sizes="{sz}" width="{w}" height="{h}" alt="{a}"{l}>').format(
            k=kind, s=default.name, ss=srcset, sz=SIZES[kind][1], w=default.width, h=default.height, a=alt,
            l=Markup(' loading="lazy" decoding="async"') if lazy else "")

    def picture(src: str, alt: str, kind: str) -> Markup:
        image = edition.images.get(src)
        return img(copies(image.path, kind), alt, kind) if image is not None else Markup("")

    def href(doc: Doc | None) -> str:
        return "index.html" if doc is None else f"{doc.name}.html"

    def absolute(rel: str) -> str:
        """Link previews want absolute URLs: known when booklet.yaml says where the site lives (digital.url)."""
        return urljoin(base, rel) if base and rel else rel

    base = cfg.digital.url.rstrip("/") + "/" if cfg.digital.url else ""
    cover_copies = copies(cover, "cover") if cover is not None else []
    cover_og = absolute(f"images/{cover_copies[-1].name}") if cover_copies else ""

    def og_image(doc: Doc) -> str:
        """The picture a link preview shows: the honouree, else the document's first photo, else the cover."""
        srcs = [edition.portrait(doc.honouree)] if doc.honouree is not None else []
        srcs += [b.src for u in doc.units for b in u.blocks if b.kind == "figure"]
        for src in srcs:
            if src in edition.images:
                vs = copies(edition.images[src].path, "portrait" if doc.honouree is not None else "photo")
                return absolute(f"images/{next((v for v in reversed(vs) if v.width <= OG_WIDTH), vs[0]).name}")
        return cover_og

    ctx = dict(config=cfg, edition=edition, href=href, picture=picture, portrait=edition.portrait,
               doc_for=lambda h: edition.by_honouree.get(h.id), honourees_for=edition.content.honourees_for,
               colours=cfg.colours, stylesheets=[f"assets/{s}" for s in STYLESHEETS])
    dest.mkdir(parents=True, exist_ok=True)
    total = 0

    def write(name: str, text: str) -> None:
        nonlocal total
        data = text.encode("utf-8")
        total += len(data)
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        (dest / name).write_bytes(data)

    offered = []
    for d in downloads:
        (dest / "downloads").mkdir(exist_ok=True)
        (dest / "downloads" / d.name).write_bytes(d.data)
        total += len(d.data)
        offered.append(dict(href=f"downloads/{d.name}", kind=d.kind, size=len(d.data),
                            type={"pdf": "application/pdf", "epub": "application/epub+zip"}.get(d.kind, "")))
    ctx["downloads"] = offered
    cover_img = img(cover_copies, f"{cfg.title}（封面）", "cover", lazy=False) if cover_copies else Markup("")
    write("index.html", render_template(env, "web/index.html", ctx, cover=cover_img, og_image=cover_og, og_url=base,
                                        first=edition.docs[0] if edition.docs else None))
    docs = edition.docs
    for i, doc in enumerate(docs):
        write(href(doc), render_template(env, "web/page.html", ctx, doc=doc, og_image=og_image(doc), og_url=absolute(href(doc)),
                                         prev=docs[i - 1] if i else None, next=docs[i + 1] if i + 1 < len(docs) else None))
    for name in STYLESHEETS:
        write(f"assets/{name}", render_template(env, f"web/{name}", ctx))
    for name, v in sorted(placed.items()):
        link_or_copy(v.path, dest / "images" / name)
        total += v.path.stat().st_size
    return Web(len(docs) + 1, len(placed), total)


def swap_in(staged: Path, target: Path) -> None:
    """Put the finished folder *staged* at *target*, replacing the old one.

    Two renames within output/: the old site is moved aside, the new one
    takes its name, then the old one is deleted. A reader never sees a
    half-written site, only, for an instant, none.
    """
    import shutil
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{staged.name.rsplit('-', 1)[-1]}")
        target.rename(old)
    staged.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def staging_dir(target: Path) -> Path:
    """An empty hidden folder beside *target* to build the next site in."""
    import tempfile
    target.parent.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    path.chmod(0o755)                  # mkdtemp makes it private; a web folder is for everyone
    return path

