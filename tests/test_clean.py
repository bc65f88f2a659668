"""The cleaner: one test group per rule, then property tests with hypothesis
that add every kind of artefact to clean paragraphs and expect them back."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from booklet.importing import clean
from booklet.importing.clean import (Line, clean_lines, clean_text, display_width, drop_folios, drop_ornament_lines,
                           ends_sentence, join_split_numbers, join_wrapped_lines, normalize_cjk_punct,
                           rebuild_vertical_titles, split_lines, strip_cjk_spaces, undouble, undouble_faux_bold)


def lines_of(*texts: str, gap: bool = True) -> list[Line]:
    return [Line(n=i + 1, text=t, gap=gap and i > 0) for i, t in enumerate(texts)]


# ---------------------------------------------------------------- basics

def test_split_lines_keeps_source_numbers_lead_and_gaps():
    ls = split_lines(" 标题\n\n正文一\n正文二\r\n\u3000新框\n")
    assert [(l.n, l.text, l.lead, l.gap) for l in ls] == [
        (1, "标题", True, False), (3, "正文一", False, True), (4, "正文二", False, False), (5, "新框", True, False)]


def test_display_width_and_sentence_end():
    assert display_width("中文，") == 3
    assert display_width("2021年") == 3
    assert ends_sentence("完成。") and ends_sentence("他说：“好。”") and ends_sentence("尽绵薄之力!")
    assert not ends_sentence("继续，") and not ends_sentence("建功新时代")


# ---------------------------------------------------------------- faux bold

def test_undouble_blocks():
    assert undouble("座座谈会上的讲话谈会上的讲话")[0] == "座谈会上的讲话"
    assert undouble("中国") is None
    assert undouble("扎扎扎扎")[0] == "扎扎"


def test_undouble_faux_bold_lines_from_the_seed():
    ls = lines_of("““社会主义是干出来的社会主义是干出来的，，新时新时",
                  "为 行 动为 行 动 ，，听 党 话听 党 话 、、跟 党跟 党",
                  "能够获得能够获得 20202020年全国劳年全国劳",
                  "记视察青海时提出的四个记视察青海时提出的四个““扎扎扎扎",
                  "实实实实””要求和要求和““一定要将光伏产业一定要将光伏产业")
    out, changes = undouble_faux_bold(ls)
    assert [l.text for l in out] == ["“社会主义是干出来的，新时", "为行动，听党话、跟党", "能够获得2020年全国劳",
                                     "记视察青海时提出的四个“扎扎", "实实”要求和“一定要将光伏产业"]
    assert all(c.rule == "undouble_faux_bold" for c in changes) and len(changes) == 5
    joined = "".join(p.text for p in join_wrapped_lines(out[3:])[0])
    assert "四个“扎扎实实”要求" in joined


def test_undouble_whole_doubled_title_line():
    out, _ = undouble_faux_bold(lines_of("在劳模疗休养团学习贯彻习近平总书记在劳模疗休养团学习贯彻习近平总书记"))
    assert out[0].text == "在劳模疗休养团学习贯彻习近平总书记"


def test_real_repeats_survive():
    texts = ["扎扎实实", "天天", "兢兢业业", "培养一代又一代热爱劳动的人", "千千万万奋斗在各行各业", "殷殷嘱托"]
    out, changes = undouble_faux_bold(lines_of(*texts))
    assert [l.text for l in out] == texts and not changes


def test_weak_doubled_line_between_doubled_lines():
    out, _ = undouble_faux_bold(lines_of("我们要始终我们要始终，，弘扬劳模弘扬劳模", "天天天天", "精神精神。。"))
    assert [l.text for l in out] == ["我们要始终，弘扬劳模", "天天", "精神。"]


# ---------------------------------------------------------------- vertical titles, ornaments, folios, numbers

def test_rebuild_vertical_titles():
    ls = split_lines("正文。\n省\n委\n省\n政\n府\n标题\n编\n者\n\n按\n正文\n一\n二\n")
    out, changes = rebuild_vertical_titles(ls)
    assert [(l.text, l.vertical) for l in out] == [("正文。", False), ("省委省政府", True), ("标题", False),
                                                   ("编者按", True), ("正文", False), ("一", False), ("二", False)]
    assert out[1].n == 2 and out[1].last == 6 and changes[0].before == "省⏎委⏎省⏎政⏎府"


def test_stacked_vertical_blocks_stay_apart():
    # a banner over a group's name: a blank line between blocks that are otherwise set without one
    out, _ = rebuild_vertical_titles(split_lines("学\n习\n先\n进\n\n优\n秀\n教\n师\n张 三 某校教师\n"))
    assert [(l.text, l.vertical) for l in out[:2]] == [("学习先进", True), ("优秀教师", True)]
    # a new text frame starts a new block, blank lines or not
    out, _ = rebuild_vertical_titles(split_lines(" 学\n\n习\n\n先\n\n进\n 优\n\n秀\n\n教\n\n师\n"))
    assert [l.text for l in out] == ["学习先进", "优秀教师"]
    # blank lines after every character are line spacing, not a boundary
    out, _ = rebuild_vertical_titles(split_lines("学\n\n习\n\n先\n\n进\n"))
    assert [l.text for l in out] == ["学习先进"]


def test_a_date_split_at_the_head_of_a_paragraph_keeps_its_number():
    raw = "会议由副主席主持。\n 11\n月24日，市总工会召开表彰大会，\n对优秀教师进行表彰。\n"
    out, changes = clean_lines(split_lines(raw))
    assert [l.text for l in out] == ["会议由副主席主持。", "11月24日，市总工会召开表彰大会，", "对优秀教师进行表彰。"]
    assert out[1].lead and not [c for c in changes if c.rule == "drop_folios"]
    assert clean_text("上一段结束。\n\n12\n月5日，会议召开，\n\n大家参加。\n").split("\n\n")[1] == "12月5日，会议召开，大家参加。"
    # the first digit alone: only when no blank line lies between
    out, _ = clean_lines(split_lines("结束。\n1\n1月24日，会议召开。\n"))
    assert out[1].text == "11月24日，会议召开。"
    out, _ = clean_lines(split_lines("结束。\n\n7\n\n1月24日，会议召开。\n"))
    assert [l.text for l in out] == ["结束。", "1月24日，会议召开。"]      # a folio


def test_drop_ornament_lines_passes_the_frame_start_on():
    out, changes = drop_ornament_lines(split_lines(" 1950—2020\n\n同志们：\n"))
    assert [l.text for l in out] == ["同志们："] and out[0].lead
    assert changes[0].before == "1950—2020" and changes[0].after == ""


def test_drop_folios():
    out, changes = drop_folios(lines_of("建功新征程。", "09", "深刻理解", "这是第", "13", "名同志"))
    assert [l.text for l in out] == ["建功新征程。", "深刻理解", "这是第", "13", "名同志"]
    assert out[1].page_break and [c.before for c in changes] == ["09"]


def test_join_split_numbers():
    ls = lines_of("讲得都很好。参加 11", "月24日全国劳动模范", gap=False)
    out, changes = join_split_numbers(ls)
    assert [l.text for l in out] == ["讲得都很好。参加 11月24日全国劳动模范"] and out[0].last == 2
    out, _ = join_split_numbers(lines_of("各行各业的", "1689", "名劳动模范"))
    assert [l.text for l in out] == ["各行各业的1689", "名劳动模范"] and out[0].last == 2
    assert changes[0].rule == "join_split_numbers"


# ---------------------------------------------------------------- paragraphs

def test_join_wrapped_lines_with_and_without_blank_lines():
    text = ("今天，我们隆重召开大会，表彰全国劳动模范和先进\n\n工作者，激励全党全国各族人民弘扬劳模精神，在决胜全\n\n"
            "面建成小康社会的基础上继续奋斗。\n\n首先，我代表党中央、国务院，向受到表彰的全国劳\n\n"
            "动模范和先进工作者，表示热烈的祝贺！向为改革开放\n\n和社会主义现代化建设作出突出贡献的\n\n"
            "广大劳动群众，致以诚挚的问候！\n")
    paras = clean_text(text).split("\n\n")
    assert paras == ["今天，我们隆重召开大会，表彰全国劳动模范和先进工作者，激励全党全国各族人民弘扬劳模精神，"
                     "在决胜全面建成小康社会的基础上继续奋斗。",
                     "首先，我代表党中央、国务院，向受到表彰的全国劳动模范和先进工作者，表示热烈的祝贺！"
                     "向为改革开放和社会主义现代化建设作出突出贡献的广大劳动群众，致以诚挚的问候！"]
    assert clean_text(text.replace("\n\n", "\n")) == clean_text(text)


def test_heading_and_one_line_paragraph():
    text = ("积极投身疫情防控的人民战争、总体战、阻击战，为全国抗\n"
            "命运与共的伟大抗疫精神，不愧为新时代最美奋斗者！\n同志们！\n"
            "当今世界正经历百年未有之大变局，我国正处于实\n现中华民族伟大复兴的关键时期。经过长期奋斗，我国\n"
            "经济实力、科技实力、综合国力跃上新的大台阶。\n"
            "一、深刻领会讲话精神的重大意义\n习近平总书记指出，在长期实践中，我们培育形成了\n"
            "爱岗敬业、争创一流、艰苦奋斗、勇于创新、淡泊名利、甘\n于奉献的劳模精神。\n")
    assert clean_text(text).split("\n\n") == [
        "积极投身疫情防控的人民战争、总体战、阻击战，为全国抗命运与共的伟大抗疫精神，不愧为新时代最美奋斗者！",
        "同志们！",
        "当今世界正经历百年未有之大变局，我国正处于实现中华民族伟大复兴的关键时期。经过长期奋斗，"
        "我国经济实力、科技实力、综合国力跃上新的大台阶。",
        "一、深刻领会讲话精神的重大意义",
        "习近平总书记指出，在长期实践中，我们培育形成了爱岗敬业、争创一流、艰苦奋斗、勇于创新、淡泊名利、甘于奉献的劳模精神。"]


def test_image_wrap_narrower_lines_do_not_break_paragraphs():
    text = ("根据党中央国务院的决策部署、全国总工会的工作安排、省\n委省政府的具体要求，省总工会每年安\n"
            "排全国劳模、省部级劳模参加疗休\n养。今年各省在本省内安排疗休养，\n我省在贵德等地区安排了疗休养活\n动。\n")
    assert "\n\n" not in clean_text(text)


def test_forced_paragraph_break():
    ls = lines_of("深刻理解总书记对工人阶级和广大劳动群众的殷切", "重托，团结动员亿万职工为实现规划建功立业了",
                  "习近平总书记指出，全面建设社会主义现代化国家，", "要充分发挥工人阶级和广大劳动群众主力军作用。")
    assert len(join_wrapped_lines(ls)[0]) == 1
    paras, _ = join_wrapped_lines(ls, force={2: True})
    assert [p.first for p in paras] == [1, 3]


def test_strip_cjk_spaces_and_punct():
    assert strip_cjk_spaces("从 2021年开始，全省 330 万人") == "从2021年开始，全省330万人"
    assert strip_cjk_spaces("为 行 动") == "为行动"
    assert strip_cjk_spaces("Hello  world 你好") == "Hello world你好"
    assert normalize_cjk_punct("建设新征程尽绵薄之力!要求,建立") == "建设新征程尽绵薄之力！要求，建立"
    assert normalize_cjk_punct("比例1.5,2") == "比例1.5,2"


def test_clean_lines_records_every_rule():
    raw = " 1950—2020\n\n新时新时，，\n\n09\n\n全\n国\n劳\n"
    lines, changes = clean_lines(split_lines(raw))
    assert {c.rule for c in changes} == {"drop_ornament_lines", "undouble_faux_bold", "drop_folios",
                                         "rebuild_vertical_titles"}
    assert all(c.source_line for c in changes)


# ---------------------------------------------------------------- property tests

SENTENCES = [
    "劳动模范是民族的精英、人民的楷模，是共和国的功臣。",
    "社会主义是干出来的，新时代是奋斗出来的。",
    "希望大家珍惜荣誉、保持本色，谦虚谨慎、戒骄戒躁，继续发挥示范带头作用。",
    "我要扎扎实实做好基层医疗工作者的本职工作，服务好老百姓！",
    "培养一代又一代热爱劳动、勤于劳动、善于劳动的高素质劳动者。",
    "他们是千千万万奋斗在各行各业劳动群众中的杰出代表。",
    "总书记的殷殷嘱托，我们天天记在心上。",
    "兢兢业业、任劳任怨，是劳模的本色。",
    "我将牢记总书记提出的四个“扎扎实实”要求。",
    "从2021年开始，我国将进入“十四五”时期。",
    "大会表彰了1689名劳动模范和804名先进工作者，我省35名同志受到表彰。",
    "你们代表全省330万社会主义建设者接受这份荣誉。",
    "技术工人占比约为20%，高技能人才仍然紧缺。",
    "光荣属于劳动者，幸福属于劳动者！",
    "“不惰者，众善之师也。”在长期实践中，我们培育形成了劳模精神。",
    "这难道不是新时代最美的风景吗？",
]
HAN = "的一是在了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造"
UNITS = "名万年个"


@st.composite
def random_sentence(draw):
    clauses = draw(st.lists(st.lists(st.sampled_from(HAN), min_size=2, max_size=9, unique=True), min_size=1, max_size=4,
                            unique_by=lambda c: "".join(c)))
    text = "，".join("".join(c) for c in clauses)
    if draw(st.booleans()):
        text += f"{draw(st.integers(1, 9999))}{draw(st.sampled_from(UNITS))}"
    return text + draw(st.sampled_from("。！？"))


@st.composite
def paragraph(draw):
    parts = draw(st.lists(st.one_of(st.sampled_from(SENTENCES), random_sentence()), min_size=1, max_size=4))
    return "".join(parts)


def wrap(text: str, width: int) -> list[str]:
    """Set a paragraph in a column: two-em indent on the first line, widths by
    display_width. (Overfull lines from hanging punctuation, the ±1 jitter of
    real pages, are covered by the seed import tests.)"""
    lines, cur, cap = [], "", width - 2
    for ch in text:
        if cur and display_width(cur + ch) > cap:
            lines.append(cur)
            cur, cap = "", width
        cur += ch
    lines.append(cur)
    return lines


def ambiguous(layouts: list[list[str]], width: int) -> bool:
    """Layouts a reader could not settle either without the lost indentation."""
    flat = [(k, display_width(l)) for k, lines in enumerate(layouts) for l in lines]
    for i in range(len(flat) - 1):
        if flat[i][0] != flat[i + 1][0]:
            # the column width must show near every paragraph end (two full lines close by)
            near = sorted(w for _, w in flat[max(0, i - 3):i] + flat[i + 1:i + 4])
            if not near or (near[-2] if len(near) >= 4 else near[-1]) < width - 0.5:
                return True
    for k, lines in enumerate(layouts):
        last = display_width(lines[-1])
        if len(lines) == 1 and last > width - 4.5:
            return True                      # one-line paragraph as wide as an indented first line
        if len(lines) > 1 and width - 3 < last < width - 1:
            return True                      # last line neither clearly short nor full
        if len(lines) > 1 and ends_sentence(lines[-2]) and last <= width - 2:
            return True                      # a short tail after a full line that ends a sentence
        if k and len(lines) == 1 and display_width(layouts[k - 1][-1]) >= width - 1 and width / 3 < last < width - 4.5:
            return True                      # …or a one-line paragraph after one: read as the tail
    return False


def double(line: str, rnd: random.Random, spaced: bool) -> str:
    """Faux bold as the extractor emits it: each text run twice. Punctuation
    (another font) is always a run of its own; text is cut into runs of 1–8."""
    runs: list[str] = []
    for ch in line:
        if runs and clean.is_punct(ch) == clean.is_punct(runs[-1][-1]) and \
                (clean.is_punct(ch) or rnd.random() > 1 / 5):
            runs[-1] += ch
        else:
            runs.append(ch)
    out = []
    for run in runs:
        if spaced and rnd.random() < 0.3:
            run = " ".join(run) + " "
        out.append(run + run)
    return "".join(out)


def split_number(lines: list[str], rnd: random.Random) -> list[str]:
    """Where a line starts with a unit, move the number before it away as the PDF does."""
    out = list(lines)
    for k in range(1, len(out)):
        prev, cur = out[k - 1], out[k]
        digits = len(prev) - len(prev.rstrip("0123456789"))
        if digits and cur[:1] in UNITS and digits < len(prev):
            number = prev[-digits:]
            if rnd.random() < 0.5:
                out[k - 1] = prev[:-digits] + " " + number        # 参加 11 / 月24日
            else:
                out[k - 1] = prev[:-digits] + "\n" + number       # … / 1689 / 名劳动模范
    return out


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(paras=st.lists(paragraph(), min_size=1, max_size=5), width=st.integers(10, 30),
       seed=st.integers(0, 2**32 - 1), blank=st.sampled_from(["always", "never", "mixed"]),
       doubled=st.sets(st.integers(0, 4), max_size=3), folios=st.sets(st.integers(0, 4), max_size=2),
       spaced=st.booleans(), numbers=st.booleans())
def test_cleaner_returns_clean_text(paras, width, seed, blank, doubled, folios, spaced, numbers):
    rnd = random.Random(seed)
    layouts = [wrap(p, width) for p in paras]
    assume(not ambiguous(layouts, width))
    raw_lines: list[str] = []
    for k, lines in enumerate(layouts):
        if numbers and k not in doubled:
            lines = "\n".join(split_number(lines, rnd)).split("\n")
        if k in doubled:
            lines = [double(l, rnd, spaced) for l in lines]
        raw_lines.extend(lines)
        if k in folios and k + 1 < len(layouts):
            raw_lines.append(f"{rnd.randint(1, 99):02d}")
    sep = {"always": lambda: "\n\n", "never": lambda: "\n", "mixed": lambda: rnd.choice(["\n", "\n\n"])}[blank]
    raw = ""
    for l in raw_lines:
        raw += l + sep()
    assert clean_text(raw) == "\n\n".join(paras)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(paras=st.lists(paragraph(), min_size=1, max_size=4), width=st.integers(12, 30))
def test_real_repeats_survive_in_clean_text(paras, width):
    layouts = [wrap(p, width) for p in paras]
    assume(not ambiguous(layouts, width))
    out = clean_text("\n\n".join("\n\n".join(ls) for ls in layouts))
    for word in ("扎扎实实", "天天", "一代又一代", "千千万万", "殷殷", "兢兢业业"):
        assert out.count(word) == "".join(paras).count(word)


@settings(max_examples=100, deadline=None)
@given(text=paragraph(), seed=st.integers(0, 2**32 - 1))
def test_undouble_inverts_faux_bold(text, seed):
    rnd = random.Random(seed)
    line = text[:30]
    out, _ = undouble_faux_bold([Line(1, "上文上文，，"), Line(2, double(line, rnd, False)), Line(3, "下文下文。。")])
    assert out[1].text == line
