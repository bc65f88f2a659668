"""The print edition's back cover carries a QR code to the web edition.

What a phone sees: the back cover rendered with pdftoppm and decoded with
zxing-cpp. What a printer sees: vector paths, no image on that page.
"""

from __future__ import annotations

import subprocess

import pdfplumber
import pikepdf
import pytest
from PIL import Image

from booklet.render.qr import qr_svg

from conftest import copy_project

URL = "https://gonghui.example.cn/tekan/2021-03/?from=qr"


@pytest.fixture(scope="module")
def with_url(tmp_path_factory):
    from booklet.build import build
    project = copy_project(tmp_path_factory.mktemp("qr") / "mini")
    cfg = project / "booklet.yaml"
    cfg.write_text(cfg.read_text("utf-8") + f"digital:\n  url: {URL}\n", "utf-8")
    return project, build(project)


def decode_page(pdf, page: int, dpi: int, tmp_path) -> list[str]:
    import zxingcpp
    stem = tmp_path / f"p{dpi}"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", "-singlefile",
                    str(pdf), str(stem)], check=True)
    return [r.text for r in zxingcpp.read_barcodes(Image.open(f"{stem}.png"))]


def images_on(page: pikepdf.Page) -> int:
    count, stack, seen = 0, [page.obj.get("/Resources")], set()
    while stack:
        res = stack.pop()
        for _, x in ((res or {}).get("/XObject") or {}).items():
            if x.objgen in seen:
                continue
            seen.add(x.objgen)
            if x.get("/Subtype") == pikepdf.Name.Image:
                count += 1
            elif x.get("/Subtype") == pikepdf.Name.Form:
                stack.append(x.get("/Resources"))
    return count


def test_back_cover_qr_code_decodes_to_the_url(with_url, tmp_path):
    _, result = with_url
    with pikepdf.open(result.print_pdf) as pdf:
        last = len(pdf.pages)
        assert images_on(pdf.pages[-1]) == 0                        # vector: no image on the back cover
    for dpi in (150, 300):
        assert decode_page(result.print_pdf, last, dpi, tmp_path) == [URL]
    with pdfplumber.open(result.print_pdf) as pdf:
        text = pdf.pages[-1].extract_text()
        assert URL in text.replace(" ", "").replace("\n", "")        # the address in small type
        small = [c["size"] for c in pdf.pages[-1].chars if c["text"] == "g"]
        assert small and max(small) < 8


def test_the_digital_edition_describes_the_code(with_url):
    _, result = with_url
    with pikepdf.open(result.digital_pdf) as pdf:
        alts = [str(e.Alt) for e in _figures(pdf.Root.StructTreeRoot.K)]
    assert any(URL in a for a in alts)


def _figures(node):
    if isinstance(node, pikepdf.Array):
        for k in node:
            yield from _figures(k)
    elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
        if node.S == pikepdf.Name.Figure and "/Alt" in node:
            yield node
        if "/K" in node:
            yield from _figures(node.K)


def test_no_url_no_code(built_mini, tmp_path):
    _, result = built_mini
    with pikepdf.open(result.print_pdf) as pdf:
        last = len(pdf.pages)
    assert decode_page(result.print_pdf, last, 150, tmp_path) == []


def test_svg_is_one_filled_path_of_the_modules():
    import segno
    svg = str(qr_svg("https://t.example.cn/a", title="码"))
    code = segno.make("https://t.example.cn/a", error="m", micro=False)
    size = len(code.matrix) + 8
    assert f'viewBox="0 0 {size} {size}"' in svg and "<title>码</title>" in svg
    assert svg.count("<path") == 1 and "<image" not in svg and "stroke" not in svg
    area = sum(int(h) for h in __import__("re").findall(r"h(\d+)v1", svg))
    assert area == sum(sum(row) for row in code.matrix)              # every dark module, once
