"""The web edition read in Chromium, as a phone and a desktop browser show it."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from booklet.reflow.browser import VIEWPORTS, check_site


def _pages(site: Path) -> set[str]:
    return {str(p.relative_to(site)) for p in site.rglob("*.html")}


def test_phone_project_reads_well_from_320px_to_desktop(phone_built):
    project, _ = phone_built
    site, shots = project / "output" / "web", project / "output" / "preview" / "web"
    report = check_site(site, shots, {"narrow": (320, 640), **VIEWPORTS})
    assert report.problems() == []
    for viewport in ("narrow", "phone", "desktop"):
        seen = {p.page for p in report.pages if p.viewport == viewport}
        assert seen == _pages(site)                     # every page reached from index.html by links
    phone = [p for p in report.pages if p.viewport in ("narrow", "phone")]
    assert all(p.body_text_px >= 16 for p in phone) and all(p.lang == "zh-CN" for p in phone)
    assert {p.screenshot.name for p in report.pages if p.viewport == "phone"} == \
        {f"phone-{Path(p).stem}.png" for p in _pages(site)}
    # The article with a 100-character URL: wrapped, and the screenshot is as wide as the phone.
    assert Image.open(shots / "phone-03-article.png").width == 375


def test_sample_web_edition_passes_the_phone_checks(built_sample):
    project, _ = built_sample
    site = project / "output" / "web"
    report = check_site(site, project / "output" / "preview" / "web")
    assert report.problems() == []
    assert {p.page for p in report.pages if p.viewport == "phone"} == _pages(site)
    assert len(list((project / "output" / "preview" / "web").glob("*.png"))) == 2 * len(_pages(site))


def test_the_browser_check_sees_overflow_orphans_and_broken_images(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(
        '<!DOCTYPE html><html lang="zh-CN"><meta name="viewport" content="width=device-width">'
        '<main><p style="font-size:16px">目录</p><a href="wide.html">宽</a> <a href="gone.html">无</a></main></html>', "utf-8")
    (site / "wide.html").write_text(
        '<!DOCTYPE html><html lang="zh-CN"><meta name="viewport" content="width=device-width">'
        '<main><p style="font-size:12px">小字</p><div style="width:600px">宽</div><img src="missing.jpg" alt=""></main></html>', "utf-8")
    (site / "orphan.html").write_text("<!DOCTYPE html><html><p>孤</p></html>", "utf-8")
    problems = "\n".join(check_site(site, None, {"phone": VIEWPORTS["phone"]}).problems())
    assert "wide.html at phone: 608 px wide in a 375 px window (div)" in problems     # 8 px of body margin
    assert "wide.html at phone: image missing.jpg did not load" in problems
    assert "wide.html at phone: body text 12 px, under 16" in problems
    assert "orphan.html: no link from index.html leads here" in problems
    assert "dead link: index.html → gone.html" in problems
    assert "index.html at phone" not in problems


def test_cli_preview_web_writes_screenshots_and_fails_on_a_problem(phone_built, tmp_path):
    import shutil
    from click.testing import CliRunner
    from booklet.cli import main
    project = tmp_path / "p"
    project.mkdir()
    shutil.copy(phone_built[0] / "booklet.yaml", project)
    shutil.copytree(phone_built[0] / "content", project / "content")
    site = project / "output" / "web"
    site.mkdir(parents=True)
    page = '<!DOCTYPE html><html lang="zh-CN"><meta name="viewport" content="width=device-width"><p>{}</p></html>'
    (site / "index.html").write_text(page.format("目录"), "utf-8")
    run = CliRunner().invoke(main, ["preview", "--web", "-p", str(project)])
    assert run.exit_code == 0 and "read 1 pages at 375×812 and 1280×900: 0 problem(s)" in run.output, run.output
    assert {p.name for p in (project / "output" / "preview" / "web").iterdir()} == {"phone-index.png", "desktop-index.png"}
    (site / "index.html").write_text(page.format('<img src="gone.jpg" alt="">'), "utf-8")
    run = CliRunner().invoke(main, ["preview", "--web", "-p", str(project)])
    assert run.exit_code == 1 and "problem: index.html at phone: image gone.jpg did not load" in run.output, run.output
