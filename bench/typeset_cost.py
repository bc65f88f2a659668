"""Cost of booklet.render.typeset (clreq line layout) on a long Chinese document.

Renders the same ~30-page mixed Chinese/Latin/digit document with bare
WeasyPrint and with ``booklet.render.typeset.install()``, each in a fresh subprocess
(the patch is process-wide), best CPU time of N interleaved runs, and prints
the times and their ratio. Target:
ratio < 1.3.

    .venv/bin/python bench/typeset_cost.py [--paragraphs N] [--repeat R]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / 'fonts'

HAN = (
    '的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年'
    '动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化'
    '高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天'
    '政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向'
    '道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革'
    '位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角'
    '期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热'
    '领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风'
    '切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马'
    '节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书')
WORDS = ['Python', 'WeasyPrint', 'PDF', 'CSS', 'Unicode', 'HTML', 'OpenType',
         'Noto Serif', 'GitHub', 'Linux', 'A4', 'ISBN', 'DNA', 'iPhone']


def make_html(paragraphs: int, seed: int = 1) -> str:
    """Deterministic pseudo-Chinese document: sentences of Han characters with
    commas, enumeration commas, quotes, brackets, numbers and Latin words."""
    rnd = random.Random(seed)

    def phrase():
        return ''.join(rnd.choice(HAN) for _ in range(rnd.randint(3, 12)))

    def sentence():
        parts = []
        for _ in range(rnd.randint(2, 5)):
            piece = phrase()
            roll = rnd.random()
            if roll < 0.12:
                piece += rnd.choice(WORDS) + phrase()
            elif roll < 0.22:
                piece += str(rnd.randint(2, 99999)) + rnd.choice('年米人个次')
            elif roll < 0.28:
                piece = f'“{piece}”'
            elif roll < 0.32:
                piece += f'（{phrase()}）'
            parts.append(piece)
            parts.append(rnd.choice('，，，、；'))
        parts[-1] = rnd.choice('。。。！？')
        if rnd.random() < 0.1:
            parts.append('”')
            parts.insert(0, '“')
        return ''.join(parts)

    body = []
    for number in range(paragraphs):
        if number % 12 == 0:
            body.append(f'<h2>第{number // 12 + 1}章 {phrase()}</h2>')
        body.append('<p>' + ''.join(
            sentence() for _ in range(rnd.randint(2, 6))) + '</p>')
    css = f'''
    @font-face {{ font-family: Serif; src: url({(FONTS / 'NotoSerifCJKsc-Regular.otf').as_uri()}) }}
    @font-face {{ font-family: Sans; src: url({(FONTS / 'NotoSansCJKsc-Bold.otf').as_uri()}) }}
    @page {{ size: 148mm 210mm; margin: 18mm 16mm }}
    body {{ font-family: Serif; font-size: 10.5pt; line-height: 1.8 }}
    p {{ text-align: justify; text-indent: 2em; margin: 0 }}
    h2 {{ font-family: Sans; font-size: 14pt }}
    '''
    return f'<html lang="zh-Hans"><head><style>{css}</style></head><body>{"".join(body)}</body></html>'


CHILD = '''
import sys, time
sys.path.insert(0, {root!r})
import weasyprint
if {install!r}:
    from booklet.render import typeset
    typeset.install()
html = open({html!r}, encoding='utf-8').read()
weasyprint.HTML(string='<p>warm up fonts</p>').render()
start = time.process_time()
document = weasyprint.HTML(string=html).render()
document.write_pdf({pdf!r})
print(time.process_time() - start, len(document.pages))
'''


def run(install: bool, html_path: str, tmp: str) -> tuple[float, int]:
    """Render once in a fresh interpreter; return (CPU seconds, pages).

    A fresh process per measurement keeps caches (fonts, memoized Pango
    attributes) from one render out of the next, like a real build."""
    pdf = str(Path(tmp) / f'out-{int(install)}.pdf')
    code = CHILD.format(root=str(ROOT), install=install, html=html_path,
                        pdf=pdf)
    out = subprocess.run([sys.executable, '-c', code], check=True,
                         capture_output=True, text=True).stdout.split()
    return float(out[0]), int(out[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--paragraphs', type=int, default=130)
    parser.add_argument('--repeat', type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        html_path = str(Path(tmp) / 'doc.html')
        Path(html_path).write_text(make_html(args.paragraphs), encoding='utf-8')
        bare = patched = float('inf')
        pair_ratios = []
        for _ in range(args.repeat):  # interleaved, best of N (CPU time)
            bare_seconds, pages = run(False, html_path, tmp)
            bare = min(bare, bare_seconds)
            seconds, patched_pages = run(True, html_path, tmp)
            patched = min(patched, seconds)
            pair_ratios.append(seconds / bare_seconds)
    print(json.dumps({
        'pages_bare': pages, 'pages_patched': patched_pages,
        'seconds_bare': round(bare, 3), 'seconds_patched': round(patched, 3),
        'ratio': round(patched / bare, 3),
        'median_pair_ratio': round(statistics.median(pair_ratios), 3),
    }))
    print(f'bare WeasyPrint: {bare:.2f}s ({pages} pages), '
          f'with booklet.render.typeset: {patched:.2f}s ({patched_pages} pages), '
          f'ratio {patched / bare:.2f}x, median of paired runs '
          f'{statistics.median(pair_ratios):.2f}x (target < 1.3x)')


if __name__ == '__main__':
    main()
