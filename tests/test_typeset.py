"""Tests for booklet.render.typeset: clreq justification, autospace, punctuation.

Every test renders small HTML paragraphs to PDF with WeasyPrint, then reads
the glyph boxes back with pdfplumber (``page.chars``: x0/x1/top in points)
and measures them. The column is 469.89pt wide at 10.5pt, which is not a
multiple of the font size, so a line of Chinese can only be flush if
something spreads the leftover space (``test_bare_weasyprint_is_not_flush``
shows that WeasyPrint alone leaves lines up to an em short).
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pypdf
import pytest
import weasyprint
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booklet.render import typeset
from booklet.errors import BookletError

ROOT = Path(__file__).resolve().parents[1]
FONTS = ROOT / 'fonts'
SIZE = 10.5  # pt
EM = SIZE
WIDTH = 469.89  # pt, deliberately not a multiple of SIZE
LEFT = 36.0  # pt, page margin = column left edge
RIGHT = LEFT + WIDTH
FLUSH = 0.5  # pt, allowed distance of a justified line end from the edge
QUARTER = 0.25 * EM

NO_START = set('，。、；：？！）」』》〉】〕〗］｝”’…·／～')
NO_END = set('（「『《〈【〔〖［｛“‘')
HAN = re.compile(r'[\u4e00-\u9fff]')
ALNUM = re.compile(r'[A-Za-z0-9]')

CHINESE = (
    '中华人民共和国成立以来，我们的事业取得了举世瞩目的伟大成就。这是一段用于测试'
    '排版效果的中文文本，包含各种标点符号：逗号、顿号、句号！问号？以及引号“这样”'
    '和括号（比如这样）。每一行都应该两端对齐，最后一行则保持左对齐，不应出现多余的空隙。'
    '纪念册的正文通常是这样的长段落，读者希望看到整齐的版面和均匀的字距。')
MIXED = (
    '我们在2024年使用WeasyPrint和Python生成PDF文件，全书共76页，印刷3800册。'
    '排版时English words和中文混排，数字如95周年、3800米、12.5公里也常见。'
    'CSS的text-align属性设为justify后，每一行都应对齐到版心右边缘，'
    '而拉丁字母单词Typesetting内部不能被拉开，数字123456也不能。'
    '这是一个测试段落，用来检查中西文混排时的两端对齐效果是否正确。')


# --- Rendering helpers -------------------------------------------------------

@dataclass
class Line:
    chars: list

    @property
    def text(self) -> str:
        return ''.join(c['text'] for c in self.chars)

    @property
    def x0(self) -> float:
        return self.chars[0]['x0']

    @property
    def x1(self) -> float:
        return self.chars[-1]['x1']


def css(font='NotoSerifCJKsc-Regular.otf', extra=''):
    return f'''
    @font-face {{ font-family: T; src: url({(FONTS / font).as_uri()}) }}
    @page {{ size: 560pt 1200pt; margin: 20pt {LEFT}pt }}
    body {{ margin: 0 }}
    p {{ font-family: T; font-size: {SIZE}pt; line-height: 1.8;
         width: {WIDTH}pt; margin: 0 0 12pt 0; text-align: justify;
         {extra} }}
    '''


def document(body, style=None):
    return (f'<html lang="zh-Hans"><head><style>{style or css()}</style>'
            f'</head><body>{body}</body></html>')


def read_pdf(path) -> list[list[Line]]:
    """Paragraphs (separated by a vertical gap) as lists of lines."""
    with pdfplumber.open(path) as pdf:
        chars = [c for page in pdf.pages for c in page.chars]
    rows = []
    for char in sorted(chars, key=lambda c: (round(c['top'], 1), c['x0'])):
        if rows and abs(rows[-1][0]['top'] - char['top']) < 1:
            rows[-1].append(char)
        else:
            rows.append([char])
    paragraphs = [[]]
    for i, row in enumerate(rows):
        row.sort(key=lambda c: c['x0'])
        if i and row[0]['top'] - rows[i - 1][0]['top'] > 1.8 * SIZE + 6:
            paragraphs.append([])
        paragraphs[-1].append(Line(row))
    return paragraphs


def render(tmp_path, body, style=None, name='out.pdf'):
    path = tmp_path / name
    weasyprint.HTML(string=document(body, style)).write_pdf(path)
    return read_pdf(path)


def assert_justified(lines, indent=0.0, tolerance=FLUSH, letter_spacing=0.0):
    """Non-final lines start at the left edge and end at the right edge;
    the final line starts at the left edge and is not stretched."""
    assert len(lines) >= 2
    for number, line in enumerate(lines[:-1]):
        start = LEFT + (indent if number == 0 else 0)
        assert abs(line.x0 - start) < 0.01, (number, line.text)
        assert abs(line.x1 - RIGHT) <= tolerance, (
            number, round(line.x1 - RIGHT, 3), line.text)
    last = lines[-1]
    assert abs(last.x0 - LEFT) < 0.01
    assert last.x1 < RIGHT - 1
    assert_natural_han_spacing(last, letter_spacing)


def assert_natural_han_spacing(line, letter_spacing=0.0):
    """Adjacent Han glyphs are only separated by the letter spacing (no
    justification space) on this line."""
    for a, b in zip(line.chars, line.chars[1:]):
        if HAN.fullmatch(a['text']) and HAN.fullmatch(b['text']):
            assert abs(b['x0'] - a['x1'] - letter_spacing) < 0.02, (
                a['text'], b['text'])


def gap(line, left, right):
    """Horizontal distance between the glyph boxes of two adjacent chars."""
    for a, b in zip(line.chars, line.chars[1:]):
        if a['text'] == left and b['text'] == right:
            return b['x0'] - a['x1']
    raise AssertionError(f'{left}{right} not found in {line.text}')


def advance(line, char, following):
    """Advance of ``char`` measured as the distance to the next glyph."""
    for a, b in zip(line.chars, line.chars[1:]):
        if a['text'] == char and b['text'] == following:
            return b['x0'] - a['x0']
    raise AssertionError(f'{char}{following} not found in {line.text}')


@pytest.fixture(scope='module', autouse=True)
def installed():
    was_installed = typeset.is_installed()
    typeset.install()
    yield
    if not was_installed:  # leave WeasyPrint as the other test modules found it
        typeset._uninstall()


# --- Installation ------------------------------------------------------------

def test_install_is_idempotent():
    from weasyprint.layout import inline
    justify_line = inline.justify_line
    typeset.install()
    typeset.install()
    assert inline.justify_line is justify_line
    assert typeset.is_installed()


def test_install_refuses_other_weasyprint_versions(monkeypatch):
    monkeypatch.setattr(typeset, '_installed', False)
    monkeypatch.setattr(weasyprint, '__version__', '71.0')
    with pytest.raises(BookletError, match='70.0.*found 71.0'):
        typeset.install()


def test_unknown_keywords_are_rejected_by_css(tmp_path, caplog):
    """The registered properties validate their keywords like built-in ones:
    an unknown value is dropped when the stylesheet is parsed, so the valid
    declaration before it stays in force. Each valid value here turns a
    feature off; a validator that let the unknown value through would reach
    the layout with it, which then does its default (justify, autospace,
    compress) and the opt-outs would be lost."""
    style = css(extra='text-justify: none; text-justify: sideways;'
                      ' text-autospace: no-autospace; text-autospace: maybe;'
                      ' text-spacing-trim: space-all; text-spacing-trim: often')
    text = MIXED + '他说：“好。”然后（走了），再见「真的」。'
    with caplog.at_level('WARNING', logger='weasyprint'):
        lines = render(tmp_path, f'<p>{text}</p>', style)[0]
    ignored = ' '.join(r.getMessage() for r in caplog.records)
    for declaration in ('text-justify: sideways', 'text-autospace: maybe', 'text-spacing-trim: often'):
        assert f'Ignored `{declaration}' in ignored, ignored
    # text-justify: none: not one line is stretched to the edge.
    assert all(RIGHT - line.x1 > FLUSH for line in lines[:-1]), [round(RIGHT - l.x1, 2) for l in lines]
    for line in lines:
        assert_natural_han_spacing(line)
    # text-autospace: no-autospace: Han and digits/Latin touch.
    pairs = [(a, b) for line in lines for a, b in zip(line.chars, line.chars[1:])
             if (HAN.fullmatch(a['text']) and ALNUM.fullmatch(b['text']))
             or (ALNUM.fullmatch(a['text']) and HAN.fullmatch(b['text']))]
    assert len(pairs) >= 6 and all(abs(b['x0'] - a['x1']) < 0.02 for a, b in pairs)
    # text-spacing-trim: space-all: adjacent marks keep their full em each.
    line = next(l for l in lines if '。”' in l.text)
    assert abs(span(line, '。', '”') - 2 * EM) < 0.1


# --- Inter-character justification -------------------------------------------

BARE_SCRIPT = '''
import sys, weasyprint
weasyprint.HTML(string=open(sys.argv[1], encoding='utf-8').read()).write_pdf(
    sys.argv[2])
'''


def test_bare_weasyprint_is_not_flush(tmp_path):
    """Same HTML, WeasyPrint without the extension (fresh interpreter): the
    non-final lines of Chinese end short of the edge; with it, flush."""
    html = document(f'<p>{CHINESE}</p>')
    source = tmp_path / 'in.html'
    source.write_text(html, encoding='utf-8')
    subprocess.run(
        [sys.executable, '-c', BARE_SCRIPT, str(source), str(tmp_path / 'bare.pdf')],
        check=True, cwd=tmp_path)
    bare = read_pdf(tmp_path / 'bare.pdf')[0]
    errors = [RIGHT - line.x1 for line in bare[:-1]]
    assert len(errors) >= 3
    assert max(errors) > 3, errors  # up to an em short
    assert sum(error > FLUSH for error in errors) >= 2, errors

    fixed = render(tmp_path, f'<p>{CHINESE}</p>')[0]
    # (Lines may break elsewhere: compressed punctuation makes room.)
    assert ''.join(line.text for line in fixed) == ''.join(
        line.text for line in bare)
    assert_justified(fixed)


def test_pure_chinese_lines_are_flush(tmp_path):
    lines = render(tmp_path, f'<p>{CHINESE * 2}</p>')[0]
    assert len(lines) >= 5
    assert_justified(lines, tolerance=0.05)
    # The leftover space is spread evenly: Han/Han gaps equal on a line.
    for line in lines[:-1]:
        gaps = [b['x0'] - a['x1'] for a, b in zip(line.chars, line.chars[1:])
                if HAN.fullmatch(a['text']) and HAN.fullmatch(b['text'])]
        # (PDF positions are quantized to 1/1000 em = 0.0105pt.)
        assert max(gaps) - min(gaps) < 0.025
        assert 0 < gaps[0] < EM / 4


def test_mixed_chinese_latin_digit_lines_are_flush(tmp_path):
    lines = render(tmp_path, f'<p>{MIXED * 2}</p>')[0]
    assert len(lines) >= 5
    assert any(ALNUM.search(line.text) for line in lines[:-1])
    assert_justified(lines, tolerance=0.1)


def test_latin_words_and_numbers_are_not_spaced(tmp_path):
    """Letters of a word and digits of a number keep their natural spacing:
    identical glyph gaps in the justified and the left-aligned rendering."""
    body = f'<p>{MIXED}</p><p style="text-align: left">{MIXED}</p>'
    justified, left = render(tmp_path, body)
    assert [line.text for line in justified] == [line.text for line in left]
    compared = 0
    for line_j, line_l in zip(justified[:-1], left[:-1]):
        pairs = zip(zip(line_j.chars, line_j.chars[1:]),
                    zip(line_l.chars, line_l.chars[1:]))
        for (a, b), (c, d) in pairs:
            if ALNUM.fullmatch(a['text']) and ALNUM.fullmatch(b['text']):
                assert abs((b['x0'] - a['x1']) - (d['x0'] - c['x1'])) < 0.01, (
                    a['text'], b['text'], line_j.text)
                compared += 1
    assert compared > 20


def test_extracted_text_has_no_extra_characters(tmp_path):
    text = MIXED + CHINESE
    path = tmp_path / 'text.pdf'
    weasyprint.HTML(string=document(f'<p>{text}</p>')).write_pdf(path)
    lines = read_pdf(path)[0]
    glyphs = ''.join(line.text for line in lines)
    # A space at a line break is dropped by the layout, nothing is added.
    assert glyphs.replace(' ', '') == text.replace(' ', '')
    assert glyphs.count(' ') <= text.count(' ')
    extracted = ''.join(
        page.extract_text() for page in pypdf.PdfReader(path).pages)
    assert re.sub(r'\s', '', extracted) == re.sub(r'\s', '', text)


def test_inline_elements_indent_and_letter_spacing(tmp_path):
    marked = (
        '中华人民共和国<em>成立以来</em>，我们的<span style="color: red">事业'
        '取得了举世瞩目</span>的伟大成就。这是一段<b>用于测试</b>排版效果的'
        '<em>English</em>中文文本，包含<span>2024</span>年的数据和<em>（括号'
        '里的内容）</em>。每一行都应该两端对齐，最后一行则保持左对齐，不应出现多余'
        '的空隙。纪念册的正文通常是这样的长段落，读者希望看到整齐的版面和均匀的字距。')
    body = (f'<p style="text-indent: 2em">{marked}</p>'
            f'<p style="letter-spacing: 0.5pt">{CHINESE}</p>'
            f'<p style="text-indent: 2em; letter-spacing: 1pt">{MIXED}</p>')
    indented, spaced, both = render(tmp_path, body)
    assert_justified(indented, indent=2 * EM, tolerance=0.1)
    assert_justified(spaced, tolerance=0.1, letter_spacing=0.5)
    assert_justified(both, indent=2 * EM, tolerance=0.1, letter_spacing=1)


def test_lines_broken_at_spaces_are_flush(tmp_path):
    words = ('排版 English text 与中文 mixed together 的段落 '
             'with spaces 和 more words 在这里 ') * 6
    lines = render(tmp_path, f'<p>{words}</p>')[0]
    source_words = set(words.split())
    # Some lines break at a space, whose glyph is then dropped.
    assert sum(line.text.split()[-1] in source_words
               for line in lines[:-1]) >= 2
    assert_justified(lines, tolerance=0.1)
    for line in lines[:-1]:
        assert line.text == line.text.strip()


def test_text_justify_inter_word_opts_out(tmp_path):
    style = css(extra='text-justify: inter-word')
    lines = render(tmp_path, f'<p>{CHINESE}</p>', style)[0]
    errors = [RIGHT - line.x1 for line in lines[:-1]]
    assert max(errors) > 3  # back to WeasyPrint's space-only justification
    none = render(tmp_path, f'<p style="text-justify: none">{CHINESE}</p>',
                  name='none.pdf')[0]
    for line in none:
        assert_natural_han_spacing(line)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pieces=st.lists(st.one_of(
        st.text(alphabet='的一是在不了有和人这中大为上个国我以要他时来用们生到作地',
                min_size=1, max_size=12),
        st.sampled_from(['，', '。', '、', '“', '”', '（', '）', '：', '！',
                         '——', '……', '」。', '。”', ' ']),
        st.from_regex(r'[A-Za-z]{1,8}', fullmatch=True),
        st.from_regex(r'[0-9]{1,5}', fullmatch=True),
    ), min_size=30, max_size=80),
    width=st.floats(min_value=200, max_value=WIDTH),
    font=st.sampled_from(['NotoSerifCJKsc-Regular.otf',
                          'NotoSansCJKsc-Bold.otf', 'LXGWWenKai-Regular.ttf']),
)
def test_random_paragraphs_are_flush(tmp_path, pieces, width, font):
    # Separate consecutive Latin/digit pieces: one 40-letter "word" would
    # just overflow the column, with or without justification.
    text = pieces[0]
    for piece in pieces[1:]:
        if ALNUM.match(text[-1]) and ALNUM.match(piece[0]):
            text += ' '
        text += piece
    text = text.strip()
    style = css(font) + f'p {{ width: {width}pt }}'
    paragraphs = render(tmp_path, f'<p>{text}</p>', style, name='random.pdf')
    lines = paragraphs[0]
    for line in lines[:-1]:
        assert abs(line.x0 - LEFT) < 0.01, line.text
        if not typeset._OPPORTUNITY_RE.search(line.text):
            # E.g. a lone 一 before an unbreakable “一，“AAAA (quotes glue to
            # both neighbours in UAX #14): nothing to spread, start-aligned.
            continue
        assert abs(line.x1 - (LEFT + width)) <= FLUSH, (
            round(line.x1 - LEFT - width, 3), line.text)


# --- Autospace ---------------------------------------------------------------

def test_quarter_em_between_han_and_latin_or_digits(tmp_path):
    body = ('<p style="text-align: left">中文English中文2024年</p>'
            '<p style="text-align: left">中文<em>ABC</em>中文<b>2024</b>年</p>'
            '<p style="text-align: left; text-autospace: no-autospace">'
            '中文English中文2024年</p>')
    plain, elements, off = render(tmp_path, body)
    for line in (plain[0], elements[0]):
        latin = line.text.replace('中文', ' ').split()[0]
        assert abs(gap(line, '文', latin[0]) - QUARTER) < 0.1, line.text
        assert abs(gap(line, latin[-1], '中') - QUARTER) < 0.1, line.text
        assert abs(gap(line, '文', '2') - QUARTER) < 0.1, line.text
        assert abs(gap(line, '4', '年') - QUARTER) < 0.1, line.text
        assert abs(gap(line, '中', '文') - 0) < 0.01
    assert abs(gap(off[0], '文', 'E')) < 0.01
    assert abs(gap(off[0], '4', '年')) < 0.01


def test_quarter_em_on_justified_lines(tmp_path):
    """On a justified line the boundary gets the autospace plus the same
    justification share as any pair of Han characters."""
    lines = render(tmp_path, f'<p>{MIXED * 2}</p>')[0]
    measured = 0
    for line in lines[:-1]:
        chars = line.chars
        han_gaps = [b['x0'] - a['x1'] for a, b in zip(chars, chars[1:])
                    if HAN.fullmatch(a['text']) and HAN.fullmatch(b['text'])]
        share = sum(han_gaps) / len(han_gaps)
        for a, b in zip(chars, chars[1:]):
            if ((HAN.fullmatch(a['text']) and ALNUM.fullmatch(b['text'])) or
                    (ALNUM.fullmatch(a['text']) and HAN.fullmatch(b['text']))):
                assert abs(b['x0'] - a['x1'] - share - QUARTER) < 0.1, line.text
                measured += 1
    assert measured >= 6


def test_no_autospace_at_line_edges(tmp_path):
    # Each line is made to break at a Han/Latin boundary: no gap is left at
    # the end of a line, no indent at the start of the next.
    text = ('一二三四五六七八九十' * 4 + 'WeasyPrint' + '中华人民共和国' * 3 +
            '<em>Typesetting</em>文本') * 3
    lines = render(tmp_path, f'<p>{text}</p>')[0]
    assert_justified(lines, tolerance=0.1)


# --- Punctuation -------------------------------------------------------------

def span(line, first, second):
    """Distance from a mark of a pair to the glyph after the pair."""
    chars = line.chars
    for a, b, c in zip(chars, chars[1:], chars[2:]):
        if a['text'] == first and b['text'] == second:
            return c['x0'] - a['x0']
    raise AssertionError(f'{first}{second} not found in {line.text}')


def test_adjacent_punctuation_is_compressed(tmp_path):
    """Two adjacent full-width marks take 1.5em, not 2em: one of them loses
    its blank half (closing + closing: the first; then an opening bracket:
    the bracket)."""
    text = '他说：“好。”然后（走了），再见「真的」。完》《书》'
    body = (f'<p style="text-align: left">{text}</p>'
            f'<p style="text-align: left; text-spacing-trim: space-all">{text}</p>')
    compressed, full = render(tmp_path, body)
    line, full_line = compressed[0], full[0]
    for pair in ('。”', '），', '」。', '：“', '》《'):
        assert abs(span(line, *pair) - 1.5 * EM) < 0.1, pair
        assert abs(span(full_line, *pair) - 2 * EM) < 0.1, pair
    # The gap between the glyph boxes of 。 and ” is less than a full em.
    assert advance(line, '。', '”') < EM
    assert abs(advance(line, '。', '”') - EM / 2) < 0.1
    # Marks next to other characters stay full width.
    for pair in ('，再', '”然', '（走', '好。'):
        assert abs(advance(line, *pair) - EM) < 0.1, pair


def test_compressed_pairs_stay_tight_on_justified_lines(tmp_path):
    text = ('他说：“好。”然后（走了），再见「真的」。' * 8)
    lines = render(tmp_path, f'<p>{text}</p>')[0]
    assert_justified(lines, tolerance=0.1)
    for line in lines:
        for a, b in zip(line.chars, line.chars[1:]):
            if a['text'] + b['text'] in ('。”', '），', '」。'):
                assert b['x0'] - a['x0'] < EM / 2 + 0.05, line.text


def test_trim_start_sets_opening_bracket_half_width_at_line_start(tmp_path):
    # 110pt holds ten characters: the second line starts with the bracket.
    text = '一二三四五六七八九十（括号）一二三四五六七八九十'
    body = (f'<p style="width: 110pt; text-align: left;'
            f' text-spacing-trim: trim-start">{text}</p>'
            f'<p style="width: 110pt; text-align: left">{text}</p>')
    trimmed, normal = render(tmp_path, body)
    assert trimmed[1].text.startswith('（') and normal[1].text.startswith('（')
    assert abs(trimmed[1].chars[1]['x0'] - (LEFT + EM / 2)) < 0.1
    assert abs(normal[1].chars[1]['x0'] - (LEFT + EM)) < 0.1


def test_trim_start_also_when_the_line_holds_a_compressed_pair(tmp_path):
    # The second line opens with a bracket and later holds 。」, a pair whose
    # first mark is set half width: both compressions apply.
    text = '一二三四五六七八九十（括号）说「好。」一二三四五六七八'
    body = (f'<p style="width: 110pt; text-align: left;'
            f' text-spacing-trim: trim-start">{text}</p>')
    (trimmed,) = render(tmp_path, body)
    assert trimmed[1].text.startswith('（') and '。」' in trimmed[1].text
    assert abs(trimmed[1].chars[1]['x0'] - (LEFT + EM / 2)) < 0.1


# --- Line breaking (禁则) -----------------------------------------------------

KINSOKU = (
    '他说：“我们今天——就在这里——开始吧……”于是大家、一个接一个地走了进来。'
    '马克·吐温曾经说过（大意如此）：“真理还在穿鞋，谎言已经走遍半个世界。”'
    '纪念活动在95周年之际举行，队伍行进了3800米，参加者超过12000人！'
    '《中国》《人民》「引号」『双引号』【方括号】〔龟甲〕，各种标点都要检查？'
    '还有English words与Typesetting和WeasyPrint等拉丁词语；以及这样的省略号……'
    '和破折号——它们都不能被拆开。')


@pytest.mark.parametrize('width', [150.3, 201.7, 263.9, 331.1, WIDTH])
def test_kinsoku_across_long_paragraph(tmp_path, width):
    style = css() + f'p {{ width: {width}pt }}'
    lines = render(tmp_path, f'<p>{KINSOKU * 2}</p>', style)[0]
    assert len(lines) >= 6
    for line, following in zip(lines, lines[1:]):
        end, start = line.text, following.text
        assert start[0] not in NO_START, (end, start)
        assert end[-1] not in NO_END, (end, start)
        assert not (end.endswith('—') and len(re.search('—*$', end)[0]) % 2)
        assert not (end.endswith('…') and len(re.search('…*$', end)[0]) % 2)
        if ALNUM.match(end[-1]) and ALNUM.match(start[0]):
            # Only at a space of the source, never inside a word or number.
            head = re.search('[A-Za-z0-9]+$', end)[0]
            tail = re.match('[A-Za-z0-9]+', start)[0]
            assert f'{head} {tail}' in KINSOKU, (end, start)
        assert not (end[-1].isdigit() and HAN.match(start[0])), (end, start)
        assert abs(line.x1 - (LEFT + width)) <= FLUSH, (end, width)
    assert ''.join(line.text for line in lines).replace(' ', '') == (
        KINSOKU * 2).replace(' ', '')


# --- Text preparation helpers ------------------------------------------------

def test_normalize_punctuation():
    normalize = typeset.normalize_punctuation
    assert normalize('你好,世界!真的吗?是的:好(的)。') == '你好，世界！真的吗？是的：好（的）。'
    assert normalize('使用(Python)编写,等等...然后--结束') == (
        '使用（Python）编写，等等……然后——结束')
    assert normalize('他说…好—的') == '他说……好——的'
    assert normalize('3:30 and f(x)... a--b') == '3:30 and f(x)... a--b'
    # Latin in parentheses: full-width when a wide character touches either side
    assert normalize('中(abc) y') == '中（abc） y'
    assert normalize('x (abc)中') == 'x （abc）中'
    assert normalize('x(abc)y') == 'x(abc)y'


def test_collapse_cjk_latin_spaces():
    collapse = typeset.collapse_cjk_latin_spaces
    assert collapse('使用 Python 编写 2024 年') == '使用Python编写2024年'
    assert collapse('Hello world, 中文。') == 'Hello world, 中文。'


@given(st.text(alphabet='中文ABc12 ,.:()…—-', max_size=40))
def test_text_helpers_are_idempotent(text):
    for helper in (typeset.normalize_punctuation,
                   typeset.collapse_cjk_latin_spaces):
        once = helper(text)
        assert helper(once) == once
    assert typeset.collapse_cjk_latin_spaces(text).replace(' ', '') == (
        text.replace(' ', ''))


# --- Lone last-line characters (孤字) ------------------------------------------

def test_split_tail_keeps_two_units_with_their_punctuation():
    from booklet.render.typeset import split_tail
    assert split_tail('为实现中华民族伟大复兴的中国梦再立新功。') == ('为实现中华民族伟大复兴的中国梦再立', '新功。')
    assert split_tail('建功“十四五”。') == ('建功“十', '四五”。')
    assert split_tail('我们要认真学习ABC。') == ('我们要认真学', '习ABC。')
    assert split_tail('好') == ('好', '')


def test_no_lone_character_on_a_paragraph_last_line(tmp_path, installed):
    from booklet.render.templates import no_lone
    per_line = int(WIDTH // EM)                       # 44 characters fill a line
    text = ('劳' * (per_line - 1) + '。') + '模' * per_line + '范'   # one character left over
    bare = render(tmp_path, f'<p>{text}</p>', name='bare.pdf')[0]
    assert len(bare[-1].text) == 1                     # without the rule: a lone 范
    kept = render(tmp_path, f'<p>{no_lone(text)}</p>', css(extra='') + '.keep { white-space: nowrap }',
                  name='kept.pdf')[0]
    assert len(kept[-1].text) >= 2 and kept[-1].text.endswith('模范')
    assert_justified(kept)                             # the line above is still flush


def test_cached_page_references_follow_added_pages():
    import pydyf

    from booklet.render import speedups
    speedups.install()
    pdf = pydyf.PDF()
    for _ in range(3):
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    first = pdf.page_references
    assert first is pdf.page_references                      # kept between reads
    pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    refs = pdf.page_references
    assert len(refs) == 4 and refs[:3] == first
    assert refs == tuple(f"{n} 0 R".encode() for n in pdf.pages["Kids"][::3])


def test_justification_across_inline_elements(tmp_path):
    """Where an inline element starts, the opportunity is decided from the
    characters on both sides of the boundary (the first of the element):
    a Han pair split by it gets the justification share, a Latin letter
    before a Han one the share and the quarter em, and a two-em dash split
    by it stays one unbroken dash."""
    piece = '春天来了人<b>人都</b>说好花开满园abc<b>文字xyz</b>山水之间风景如画——<b>——</b>天地宽广'
    lines = render(tmp_path, f'<p>{piece * 8}</p>')[0]
    checked = {'人人': 0, 'c文': 0, '——': 0}
    for line in lines[:-1]:
        chars = line.chars
        han_gaps = [b['x0'] - a['x1'] for a, b in zip(chars, chars[1:])
                    if HAN.fullmatch(a['text']) and HAN.fullmatch(b['text'])]
        share = sum(han_gaps) / len(han_gaps)
        if share < 0.1:
            continue                                        # hardly stretched: nothing to tell apart
        for a, b in zip(chars, chars[1:]):
            pair, space = a['text'][-1] + b['text'][0], b['x0'] - a['x1']   # (the font joins a dash pair)
            if pair == '人人':
                assert abs(space - share) < 0.05, line.text
            elif pair == 'c文':
                assert abs(space - share - QUARTER) < 0.1, line.text
            elif pair == '——':
                assert abs(space) < 0.05, line.text
            else:
                continue
            checked[pair] += 1
    assert all(checked.values()), checked
