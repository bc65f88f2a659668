"""Reading the web edition in a real browser: overflow, reachability, screenshots.

A phone page that is one pixel wider than the screen scrolls sideways on
every line; only a browser's layout can tell. This crawls the site from
index.html the way a reader would (following links, from the file system),
and on every page, at each viewport size, measures how wide the page is,
which images failed to load, how large the body text is set, and saves a
screenshot for a person to look at. Playwright drives the system's
Chromium (Debian's package; Playwright's own browser download is not used).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

from ..errors import BookletError

VIEWPORTS = {"phone": (375, 812), "desktop": (1280, 900)}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]

_MEASURE = """async () => {
  // Lazy images below the fold have not loaded yet: load them all, so a broken one shows as broken.
  await Promise.all([...document.images].map(i => { i.loading = 'eager'; return i.decode().catch(() => null); }));
  // The size most of the text is set in: the body text, not a caption or a label.
  const bodyText = (els) => {
    const chars = new Map();
    for (const el of els) {
      const size = parseFloat(getComputedStyle(el).fontSize);
      chars.set(size, (chars.get(size) || 0) + el.textContent.trim().length);
    }
    let best = parseFloat(getComputedStyle(document.body).fontSize), most = 0;
    for (const [size, n] of chars) if (n > most) { best = size; most = n; }
    return best;
  };
  const vw = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width && (r.right > vw + 0.5 || r.left < -0.5)) wide.push(el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
  }
  const ps = [...document.querySelectorAll('main p, main td, main li')].filter(p => p.textContent.trim());
  return {
    scrollWidth: document.documentElement.scrollWidth, clientWidth: vw,
    wide: wide.slice(0, 5),
    broken: [...document.images].filter(i => i.naturalWidth === 0).map(i => i.getAttribute('src')),
    minText: ps.length ? Math.min(...ps.map(p => parseFloat(getComputedStyle(p).fontSize))) : null,
    bodyText: bodyText(ps),
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
    lang: document.documentElement.lang,
  };
}"""


@dataclass
class PageCheck:
    page: str                  # path relative to the site folder
    viewport: str
    scroll_width: int
    client_width: int
    body_text_px: float
    min_text_px: float | None
    broken_images: list[str]
    too_wide: list[str]
    lang: str
    screenshot: Path | None = None

    @property
    def overflows(self) -> bool:
        return self.scroll_width > self.client_width or bool(self.too_wide)


@dataclass
class SiteCheck:
    pages: list[PageCheck] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)     # .html files no link leads to
    dead_links: list[str] = field(default_factory=list)      # links to files that do not exist

    def problems(self) -> list[str]:
        out = [f"{p.page} at {p.viewport}: {p.scroll_width} px wide in a {p.client_width} px window"
               + (f" ({', '.join(p.too_wide)})" if p.too_wide else "") for p in self.pages if p.overflows]
        out += [f"{p.page} at {p.viewport}: image {src} did not load" for p in self.pages for src in p.broken_images]
        out += [f"{p.page} at {p.viewport}: body text {p.body_text_px:g} px, under 16"
                for p in self.pages if p.viewport == "phone" and p.body_text_px < 16]
        out += [f"{page}: no link from index.html leads here" for page in self.unreachable]
        out += [f"dead link: {link}" for link in self.dead_links]
        return out


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        exe = shutil.which(name)
        if exe:
            return exe
    raise BookletError("no Chromium browser found to read the web edition with",
                       hint="run ./setup.sh (it installs Debian's chromium)")


def check_site(site: Path, shots: Path | None = None, viewports: dict[str, tuple[int, int]] = VIEWPORTS,
               full_page: tuple[str, ...] = ("phone",)) -> SiteCheck:
    """Crawl *site* from index.html at each viewport; write screenshots into *shots* when given
    (whole pages at the *full_page* viewports, the first screen at the others)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise BookletError("Playwright is not installed", hint="run ./setup.sh (it installs the test tools)") from None
    site = site.resolve()
    index = site / "index.html"
    if not index.is_file():
        raise BookletError(f"{index.name} not found in {site.name}/", hint="run 'booklet build' first")
    result = SiteCheck()
    seen: list[str] = []
    if shots is not None:
        shutil.rmtree(shots, ignore_errors=True)
        shots.mkdir(parents=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        try:
            for vname, (w, h) in viewports.items():
                page = browser.new_page(viewport={"width": w, "height": h})
                queue, visited = ["index.html"], set()
                while queue:
                    rel = queue.pop(0)
                    if rel in visited:
                        continue
                    visited.add(rel)
                    page.goto((site / rel).as_uri(), wait_until="load")
                    m = page.evaluate(_MEASURE)
                    shot = None
                    if shots is not None:
                        shot = shots / f"{vname}-{rel.replace('/', '_').removesuffix('.html')}.png"
                        page.screenshot(path=str(shot), full_page=vname in full_page)
                    result.pages.append(PageCheck(rel, vname, m["scrollWidth"], m["clientWidth"], m["bodyText"],
                                                  m["minText"], m["broken"], m["wide"], m["lang"], shot))
                    for link in m["links"]:
                        target = _local(link, site)
                        if target is None:
                            continue
                        if not (site / target).is_file():
                            if link not in result.dead_links:
                                result.dead_links.append(f"{rel} → {target}")
                        elif target.endswith(".html") and target not in visited:
                            queue.append(target)
                seen = sorted(visited | set(seen))
                page.close()
        finally:
            browser.close()
    every = sorted(str(p.relative_to(site)) for p in site.rglob("*.html"))
    result.unreachable = [p for p in every if p not in seen]
    return result


def _local(url: str, site: Path) -> str | None:
    """The site-relative path a link points to, or None for a link that leaves the site."""
    url, _ = urldefrag(url)
    parsed = urlparse(url)
    if parsed.scheme != "file":
        return None
    path = Path(unquote(parsed.path))
    try:
        return str(path.relative_to(site))
    except ValueError:
        return str(path)
