"""Segmentation: the structural predicates, title blocks, rosters and small
synthetic issues laid out the way the extractor lays out the seed."""

from __future__ import annotations

import pytest

from booklet.importing.clean import Line, clean_lines, display_width, split_lines
from booklet.importing.corrections import Correction, Corrections
from booklet.importing.segment import (byline_kind, parse_roster_line, parse_title_group, segment, split_annotation,
                             split_post, titleish)


NO_LINE_START = set("，。、；：！？）》”’…")


def col(text: str, width: int, lead: bool = False, blank: bool = True) -> str:
    """Set a paragraph as the extractor gives it: hard-wrapped, the indent lost
    (punctuation never starts a line: it hangs at the end of the one before)."""
    lines, cur, cap = [], "", width - 2
    for ch in text:
        if cur and display_width(cur + ch) > cap and ch not in NO_LINE_START:
            lines.append(cur)
            cur, cap = "", width
        cur += ch
    lines.append(cur)
    if lead:
        lines[0] = " " + lines[0]
    return ("\n\n" if blank else "\n").join(lines)


def run(raw: str, corr: Corrections | None = None):
    lines, changes = clean_lines(split_lines(raw))
    return segment(lines, corr)


def L(text: str, n: int = 1, gap: bool = False, vertical: bool = False) -> Line:
    return Line(n=n, text=text, gap=gap, vertical=vertical)


# ---------------------------------------------------------------- predicates

def test_titleish_and_bylines():
    assert titleish(L("在全国劳动模范和先进工作者表彰大会上的讲话"))
    assert not titleish(L("现中华民族伟大复兴的关键时期。经过长期奋斗，我国"))
    assert not titleish(L("今年以来，"))
    assert byline_kind("全国人大常委会副委员长、中华全国总工会主席 王东明") == "affil"
    assert byline_kind("省委常委、省总工会主席 马吉孝") == "affil"
    assert byline_kind("习近平") == "name"
    assert byline_kind("省总经济部") == "org"
    assert byline_kind("（省总办公室）") == "credit"
    assert byline_kind("提振精气神 书写新篇章") == ""
    assert byline_kind("王建军主持") == ""


def test_parse_roster_lines():
    assert parse_roster_line("宗 冰 亚洲硅业（青海）股份有限公司总工程师") == ("宗冰", "", "亚洲硅业（青海）股份有限公司总工程师")
    assert parse_roster_line("李 晶（女） 海东市民和孝康养老服务中心主任") == ("李晶", "（女）", "海东市民和孝康养老服务中心主任")
    assert parse_roster_line("切阳什姐（女，藏族）青海省体育工作一大队竞走运动员兼助理教练")[:2] == ("切阳什姐", "（女，藏族）")
    assert parse_roster_line("韩木海买（撒拉族） 广东省广州市黄埔区民族团结进步协会副会长、")[0] == "韩木海买"
    assert parse_roster_line("曲麻莱县约改镇格欠村纪委委员") is None
    assert parse_roster_line("索南达杰保护站站长") is None
    assert split_annotation("（女，藏族）") == ("女", "藏族")
    assert split_annotation("（撒拉族）") == ("", "撒拉族")


def test_split_post():
    assert split_post("亚洲硅业（青海）股份有限公司总工程师") == ("亚洲硅业（青海）股份有限公司", "总工程师")
    assert split_post("中国石油青海销售公司质检站站长") == ("中国石油青海销售公司质检站", "站长")
    assert split_post("西宁市城西区虎台社区卫生服务中心全科护师") == ("西宁市城西区虎台社区卫生服务中心", "全科护师")
    assert split_post("青海大学教授，硕士生导师") == ("青海大学", "教授，硕士生导师")
    assert split_post("果洛州玛沁县大武乡格多村支部书记") == ("果洛州玛沁县大武乡格多村", "支部书记")
    assert split_post("广东省广州市黄埔区民族团结进步协会副会长、广州市民宗局骨干联络员") == \
        ("广东省广州市黄埔区民族团结进步协会", "副会长、广州市民宗局骨干联络员")
    assert split_post("某某") == ("某某", "")


# ---------------------------------------------------------------- title groups

def test_title_and_speaker():
    info = parse_title_group([L("在全国劳动模范和先进工作者表彰大会上的讲话", 97), L("习近平", 98)])
    assert (info.title, info.author) == ("在全国劳动模范和先进工作者表彰大会上的讲话", "习近平")


def test_title_subtitle_and_affiliation_byline():
    info = parse_title_group([L("团结动员亿万职工建功新征程", 1), L("——学习习近平总书记在全国劳动模范和先进工作者表彰大会上的重要讲话精神", 2),
                              L("全国人大常委会副委员长、中华全国总工会主席 王东明", 4, gap=True)])
    assert info.title == "团结动员亿万职工建功新征程"
    assert info.subtitle.startswith("学习习近平总书记")
    assert (info.affiliation, info.author) == ("全国人大常委会副委员长、中华全国总工会主席", "王东明")


def test_news_kicker_title_subtitle():
    info = parse_title_group([L("王东明出席学习贯彻习近平总书记在全国劳动模范和先进工作者表彰大会上的重要讲话精神座谈会时指出", 1),
                              L("始终牢记习近平总书记嘱托", 3, gap=True), L("团结动员广大职工建功“十四五”奋进新征程", 4),
                              L("李玉赋主持会议", 6, gap=True)])
    assert info.note.startswith("王东明出席") and info.subtitle == "李玉赋主持会议"
    assert info.title == "始终牢记习近平总书记嘱托团结动员广大职工建功“十四五”奋进新征程"
    assert info.joined_title_lines == 2


def test_subtitle_before_title():
    info = parse_title_group([L("——全省各级工会参加全总学习贯彻习近平总书记", 1), L("在全国劳动模范表彰大会上的重要讲话精神座谈会", 3, gap=True),
                              L("提振精气神 书写新篇章", 5, gap=True)])
    assert info.title == "提振精气神 书写新篇章"
    assert info.subtitle == "全省各级工会参加全总学习贯彻习近平总书记在全国劳动模范表彰大会上的重要讲话精神座谈会"


def test_vertical_banner_is_section():
    info = parse_title_group([L("省委省政府高度重视劳模工作", 1, vertical=True), L("省委省政府欢送我省全国劳动模范和先进工作者赴京受奖", 3, gap=True),
                              L("王建军讲话信长星出席", 5, gap=True)])
    assert (info.section, info.title, info.subtitle) == ("省委省政府高度重视劳模工作", "省委省政府欢送我省全国劳动模范和先进工作者赴京受奖", "王建军讲话信长星出席")


# ---------------------------------------------------------------- small issues

P1 = "当今世界正经历百年未有之大变局，我国正处于实现中华民族伟大复兴的关键时期。经过长期奋斗，我国经济实力、科技实力、综合国力跃上新的大台阶，人民生活水平显著提高。"
P2 = "劳动是一切幸福的源泉。新形势下，我国工人阶级和广大劳动群众要继续学先进赶先进，自觉践行社会主义核心价值观。"


def test_speech_with_displaced_title_is_rejoined():
    body = col(P1, 16)
    cut = body.index("经过长期奋斗，我国") + len("经过长期奋斗，我国")
    first, rest = body[:cut], body[cut:].lstrip("\n")
    raw = (" 同志们：\n\n" + first + "\n\n在全国劳模大会上的讲话\n张三\n " + rest + "\n\n" + col(P2, 16) + "\n")
    doc = run(raw)
    assert len(doc.units) == 1
    u = doc.units[0]
    assert (u.kind, u.title, u.author) == ("speech", "在全国劳模大会上的讲话", "张三")
    assert [b.text for b in u.blocks] == ["同志们：", P1, P2]


ROSTER = """ 全
国
劳
动
模
范

宗 冰 亚洲硅业（青海）股份有限公司总工程师

李 晶（女） 海东市民和孝康养老服务中心主任

扎 保（回族） 海南州同德县唐谷镇达隆村村卫生室村医

完德尖措（土族） 黄南州同仁县热贡龙树画苑画师
"""
T1 = "我所在的硅材料行业，是新能源和半导体产业的基础。"
TA = "今后我将继续保持医者仁心的精神，医治更多的患者，更好地为他们服务。"
TB = "今后我将培养好每一位徒弟，为热贡文化产业发展奉献自己的力量。"


def _pages() -> str:
    return (" " + col(T1, 12) + "\n\n当好主人翁\n\n致敬\n劳模\n\n宗冰\n\n亚洲硅业（青海）股份有限公司总工程师\n"
            " " + col(TA, 12) + "\n\n" + col(TB, 17) +
            "\n\n完德尖措\n\n黄南州同仁县热贡龙树画苑画师\n\n扎保\n\n海南州同德县唐谷镇达隆村\n\n村卫生室村医\n")


def test_roster_and_testimonials_follow_roster_order():
    doc = run(ROSTER + _pages())
    assert [u.kind for u in doc.units] == ["roster", "testimonials"]
    assert doc.units[0].title == "全国劳动模范" and doc.units[0].vertical_title
    people = {h.name: h for h in doc.honourees}
    assert list(people) == ["宗冰", "李晶", "扎保", "完德尖措"]
    assert people["李晶"].gender == "女" and people["扎保"].ethnicity == "回族"
    assert (people["宗冰"].affiliation, people["宗冰"].post) == ("亚洲硅业（青海）股份有限公司", "总工程师")
    assert people["宗冰"].testimonial == [T1]
    assert people["李晶"].testimonial == []
    assert people["扎保"].testimonial == [TA] and people["完德尖措"].testimonial == [TB]
    flagged = [c for c in doc.review if c.rule == "pair_testimonial"]
    assert {c.after for c in flagged} == {"扎保", "完德尖措"}      # printed names were in the other order
    assert [o.text for o in doc.ornaments] == ["当好主人翁致敬劳模"]


def test_testimonial_owner_correction_decides():
    first_line = next(i + 1 for i, l in enumerate((ROSTER + _pages()).split("\n")) if l.strip().startswith(TB[:6]))
    corr = Corrections([Correction("testimonial_owner", {"source_line": first_line, "honouree": "扎保"}, "editor knows", index=1)])
    doc = run(ROSTER + _pages(), corr)
    people = {h.name: h for h in doc.honourees}
    assert people["扎保"].testimonial == [TB] and people["完德尖措"].testimonial == [TA]
    assert not [c for c in doc.review if c.rule.startswith("pair") or c.rule.startswith("correction")]


def test_titles_after_body_and_head_title_block():
    news = col("11月25日，全国总工会召开座谈会，强调要深入学习贯彻重要讲话精神，团结动员广大职工。", 20, lead=True)
    news2 = col("会议指出，要坚持学以致用，把讲话精神转化为开启新征程的强大动力，推进工会工作迈上新台阶。", 20)
    raw = (news + "\n\n" + news2 + "\n\n王东明出席学习贯彻习近平总书记重要讲话精神座谈会时指出\n\n"
           "始终牢记嘱托\n团结奋斗新征程\n\n李玉赋主持会议\n"
           " 团结动员亿万职工建功新征程\n——学习习近平总书记重要讲话精神\n\n中华全国总工会主席 王东明\n\n"
           + col("习近平总书记在大会上发表重要讲话，充分肯定了我国工人阶级的巨大贡献，具有重大的政治意义。", 20) + "\n")
    doc = run(raw)
    assert [(u.kind, u.title) for u in doc.units] == [("news", "始终牢记嘱托团结奋斗新征程"),
                                                     ("article", "团结动员亿万职工建功新征程")]
    news_unit, article = doc.units
    assert news_unit.subtitle == "李玉赋主持会议" and news_unit.note.startswith("王东明出席")
    assert news_unit.date == "" or news_unit.date.endswith("-11-25")
    assert len(news_unit.blocks) == 2
    assert (article.author, article.affiliation) == ("王东明", "中华全国总工会主席")


def test_unit_start_and_split_title_block_corrections():
    a = col("近日，省委省政府欢送我省赴京参加表彰大会的全国劳动模范和先进工作者，省领导出席并讲话。", 30, lead=True)
    b = col("会议强调，要贴近生活、贴近群众、贴近实际，开展劳动创造幸福为主题的宣传教育，把规定动作做到位。", 30)
    raw = a + "\n\n" + b + "\n\n省委省政府欢送劳模赴京受奖\n\n王建军讲话\n\n省委常委会召开会议\n\n听取省总工会的汇报\n\n王建军主持\n"
    lines = raw.split("\n")
    n_b = next(i + 1 for i, l in enumerate(lines) if l.startswith("会议强调"))
    n_t = next(i + 1 for i, l in enumerate(lines) if l.startswith("省委常委会"))
    doc = run(raw)
    assert len(doc.units) == 1 and any(c.rule == "title_block" for c in doc.review)
    corr = Corrections([Correction("split_title_block", {"source_line": n_t}, index=1),
                        Correction("unit_start", {"source_line": n_b}, index=2)])
    doc = run(raw, corr)
    assert [u.title for u in doc.units] == ["省委省政府欢送劳模赴京受奖", "听取省总工会的汇报"]
    assert [u.blocks[0].text[:4] for u in doc.units] == ["近日，省", "会议强调"]
    assert doc.units[1].note == "省委常委会召开会议" and doc.units[1].subtitle == "王建军主持"


def test_caption_editors_note_and_quote():
    opening = "全国劳动模范和先进工作者表彰大会在北京人民大会堂隆重举行，向受到表彰的同志表示热烈的祝贺。"
    raw = col(opening, 14, lead=True) + "\n" \
        " 青海省参加表彰大会的全国劳动模范和先进工作者合影\n" \
        " " + col(P2, 30) + "\n\n编\n者\n\n按\n\n" + col(P1 + P2, 20) + "\n" \
        " " + col(P1, 12) + "\n"
    doc = run(raw)
    kinds = [u.kind for u in doc.units]
    assert kinds == ["news", "caption", "editors-note", "news", "quote"]
    cap = doc.units[1]
    assert cap.blocks[0].kind == "figure" and cap.blocks[0].text == "青海省参加表彰大会的全国劳动模范和先进工作者合影"
    note = doc.units[2]
    assert note.title == "编者按" and note.vertical_title and note.blocks[0].text == P2


N1 = "11月24日，市总工会召开全市教育系统表彰大会，对一年来涌现出的优秀教师进行表彰。会议由市总工会副主席主持。"
N2 = "会议指出，广大教师要立足岗位、潜心育人，在平凡的岗位上作出不平凡的业绩，为教育事业发展贡献力量。"
S1 = "今天，我们在这里隆重集会，表彰一年来涌现出的优秀教师和教育工作者，激励全市广大教职工爱岗敬业、无私奉献。"
S2 = "教育是国之大计、党之大计。广大教师要牢记立德树人的根本任务，以高尚的师德、精湛的业务赢得学生和家长的信赖。"


def test_headline_after_its_body_titles_its_news_not_the_next_speech():
    # the news headline is as wide as an indented first line: only the next
    # frame (a speech opening with a salutation) shows it cannot go on there
    news = col(N1, 20, lead=True)
    news = " 11\n" + news[3:]                                   # 11 / 月24日 at the head of the item
    raw = (news + "\n\n" + col(N2, 20) + "\n\n市总工会召开全市教育系统表彰会\n"
           " 各位老师：\n\n" + col(S1, 18) + "\n\n" + col(S2, 18) + "\n\n在全市教育系统表彰大会上的讲话\n\n市总工会主席 李明华\n")
    doc = run(raw)
    assert [(u.kind, u.title) for u in doc.units] == [("news", "市总工会召开全市教育系统表彰会"),
                                                     ("speech", "在全市教育系统表彰大会上的讲话")]
    news_unit, speech = doc.units
    assert [b.text for b in news_unit.blocks] == [N1, N2] and [b.kind for b in news_unit.blocks] == ["p", "p"]
    assert [b.text for b in speech.blocks] == ["各位老师：", S1, S2]
    assert (speech.author, speech.affiliation) == ("李明华", "市总工会主席")


# ---------------------------------------------------------------- groups, banners, ornaments, pairs


def vertical(text: str, lead: bool = True) -> str:
    return (" " if lead else "") + "\n".join(text)


TEACHERS = [("王 伟", "", "市第一中学", "高级教师"), ("李秀英", "（女）", "市实验小学语文教研组", "组长"),
            ("马 明", "（回族）", "市职业技术学校机电专业部", "主任"),
            ("阿依古丽", "（女，维吾尔族）", "市第三中学", "副校长、市教育学会理事、市青年教师联谊会秘书长"),
            ("张建国", "", "市特殊教育学校", "教师")]
WORDS = ["从教二十年来，我始终坚持把学生放在心上，用爱心和耐心陪伴每一个孩子成长。今后我将继续努力，不负这份荣誉。",
         "这份荣誉属于我们整个教研组。我将继续钻研课堂教学，带好青年教师，让更多孩子爱上阅读。",
         "职业教育大有可为。我要把企业最新的技术带进课堂，培养更多能工巧匠，为家乡发展出力。",
         "作为一名少数民族教师，我深感责任重大。我将扎根边疆，教好每一堂课，办好人民满意的教育。",
         "特殊教育需要特别的爱。我会用心守护每一个特殊的孩子，帮助他们自信地走向社会。"]
NURSES = [("赵 敏", "（女）", "市人民医院心内科", "护士长"), ("孙立新", "", "市中心血站采血科", "主任"),
          ("格桑卓玛", "（女，藏族）", "市妇幼保健院", "助产士")]
NURSE_WORDS = ["护理工作平凡而崇高。我将用心呵护每一位病人，把温暖送到病床前。",
               "每一袋热血都连着生命。我会守好这条生命线，让献血者放心、让患者安心。",
               "迎接每一个新生命是我最幸福的时刻。我要继续钻研技术，守护母婴平安。"]
ORNAMENT = "\n\n立德树人\n\n奉献教育\n"


def _signature(person) -> str:
    name, _, aff, post = person
    return name.replace(" ", "") + "\n\n" + aff + post + "\n"


def _two_group_issue() -> str:
    rows = []
    for name, ann, aff, post in TEACHERS:
        printed = aff + post
        if len(printed) > 16:                               # a long affiliation wraps onto its own line
            rows += [f"{name}{ann} {printed[:16]}", printed[16:]]
        else:
            rows.append(f"{name}{ann} {printed}")
    raw = (col("会议号召全市广大教职工向受表彰的先进典型学习，立足本职、勇于创新，为办好人民满意的教育作出新的更大贡献。", 20, lead=True)
           + "\n\n市总工会表彰优秀教师和医务工作者\n"
           + vertical("尊师重教") + "\n\n" + vertical("十佳教师", lead=False) + "\n\n" + "\n\n".join(rows) + ORNAMENT)
    # one testimonial on a page, then a pair, then a pair: names after the bodies, ornaments on every page
    raw += col(WORDS[0], 14, lead=True) + ORNAMENT + _signature(TEACHERS[0])
    raw += col(WORDS[1], 15, lead=True) + "\n\n" + col(WORDS[2], 13) + ORNAMENT + _signature(TEACHERS[1]) + "\n" \
        + _signature(TEACHERS[2])
    raw += col(WORDS[3], 13, lead=True) + "\n\n" + col(WORDS[4], 16) + ORNAMENT + _signature(TEACHERS[3]) + "\n" \
        + _signature(TEACHERS[4])
    # the second group under a vertical title; three testimonials on one page
    raw += vertical("最美护士") + "\n\n" + "\n\n".join(f"{n}{a} {f}{p}" for n, a, f, p in NURSES) + "\n"
    raw += col(NURSE_WORDS[0], 14, lead=True) + "\n\n" + col(NURSE_WORDS[1], 17) + "\n\n" + col(NURSE_WORDS[2], 12) \
        + ORNAMENT + "".join(_signature(p) + "\n" for p in NURSES)
    # an editor's note boxed with a vertical title, which the extractor gives after the text (as in the seed)
    raw += col("本期特辑刊登了受表彰者的心声，希望广大职工以他们为榜样，在平凡的岗位上创造不平凡的业绩。", 20, lead=True) \
        + "\n\n" + vertical("编者按", lead=False) + "\n"
    return raw


def test_groups_banners_ornaments_and_testimonials_in_pairs_and_triples():
    # (a banner stacked above the first group's name, ornaments printed on every page)
    doc = run(_two_group_issue())
    kinds = [(u.kind, u.title, u.group) for u in doc.units]
    assert kinds[1:] == [("roster", "十佳教师", "十佳教师"), ("testimonials", "", "十佳教师"),
                         ("roster", "最美护士", "最美护士"), ("testimonials", "", "最美护士"),
                         ("editors-note", "编者按", "")]
    assert kinds[0][:2] == ("news", "市总工会表彰优秀教师和医务工作者")
    people = {h.name: h for h in doc.honourees}
    assert list(people) == [p[0].replace(" ", "") for p in TEACHERS + NURSES]
    for person, words in zip(TEACHERS + NURSES, WORDS + NURSE_WORDS):
        h = people[person[0].replace(" ", "")]
        assert (h.affiliation, h.post) == person[2:], h.name              # no ornament glued onto a post
        assert h.annotation == person[1]
        assert h.testimonial == [words], h.name
    assert people["阿依古丽"].gender == "女" and people["阿依古丽"].ethnicity == "维吾尔族"
    # the banner above the group's name is the roster's section; the ornaments of every page
    # (and of the roster page) are kept out of the content, and listed
    assert doc.units[1].section == "尊师重教"
    assert [o.text for o in doc.ornaments].count("立德树人奉献教育") == 5
    everything = " ".join(b.text for u in doc.units for b in u.blocks) + " ".join(
        [u.title for u in doc.units] + [h.post + h.affiliation for h in doc.honourees])
    assert "立德树人" not in everything and "奉献教育" not in everything
    # pages whose layout shows where each testimonial ends are not flagged
    assert not [c for c in doc.review if c.rule in ("pair_testimonial", "missing_testimonial")]


def test_a_page_whose_layout_does_not_show_where_each_testimonial_ends_is_flagged_and_still_built():
    # two testimonials in one column, the first ending on a full line: one paragraph to the eye
    first, second = "我们班组常年坚守在生产一线，大家拧成一股绳。", "我会继续带好徒弟，让技术一代一代传下去，为企业发展多作贡献。"
    rows = [f"{n}{a} {f}{p}" for n, a, f, p in NURSES]
    raw = (vertical("最美护士") + "\n\n" + "\n\n".join(rows) + "\n"
           + " " + col(first + second, 12, blank=False) + "\n\n" + col(NURSE_WORDS[2], 12) + "\n\n"
           + "".join(_signature(p) + "\n" for p in NURSES))
    doc = run(raw)
    people = {h.name: h for h in doc.honourees}
    assert [people[n].testimonial for n in ("赵敏", "孙立新", "格桑卓玛")] == [[first], [second], [NURSE_WORDS[2]]]
    flagged = [c for c in doc.review if c.rule == "pair_testimonial"]
    assert {c.after for c in flagged} == {"赵敏", "孙立新", "格桑卓玛"}
    assert all("check where each testimonial ends" in c.note for c in flagged)
    assert [u.kind for u in doc.units] == ["roster", "testimonials"]


def test_people_listed_without_a_group():
    # a list of names after a finished text, with no group's name above it (a retirement roll)
    text = col("今年又有一批老同志光荣退休，他们在各自岗位上辛勤工作了几十年，为单位发展作出了贡献。", 20, lead=True)
    rows = ["王 芳（女） 市第二中学语文教师", "刘建国 市第一中学后勤处主任", "马 强（回族） 市教育局办公室科员"]
    doc = run(text + "\n\n" + "\n\n".join(rows) + "\n")
    assert [u.kind for u in doc.units] == ["news", "roster"]
    roster = doc.units[1]
    assert roster.group == "" and roster.title == ""
    assert [(h.name, h.group, h.affiliation + h.post) for h in doc.honourees] == [
        ("王芳", "", "市第二中学语文教师"), ("刘建国", "", "市第一中学后勤处主任"), ("马强", "", "市教育局办公室科员")]


def test_a_roster_goes_on_in_the_next_frame():
    rows = [f"{n}{a} {f}{p}" for n, a, f, p in TEACHERS]
    raw = vertical("十佳教师") + "\n\n" + "\n\n".join(rows[:3]) + "\n " + "\n\n".join(rows[3:]) + "\n"
    doc = run(raw)
    assert [(u.kind, u.group) for u in doc.units] == [("roster", "十佳教师")]
    assert [h.name for h in doc.honourees] == [p[0].replace(" ", "") for p in TEACHERS]
    assert {h.group for h in doc.honourees} == {"十佳教师"}


P3 = "同志们，新的征程已经开启，让我们更加紧密地团结起来，为实现奋斗目标而努力工作，再创新的佳绩。"
P4 = "各级工会组织要认真履行职责，关心关爱劳动者，维护好职工合法权益，营造尊重劳动的良好氛围。"


def test_a_quote_page_repeats_at_most_three_paragraphs():
    opening = "全国劳动模范和先进工作者表彰大会在北京人民大会堂隆重举行，向受到表彰的同志表示热烈的祝贺。"
    for paras, kind in (([P1, P2, P3], "quote"), ([P1, P2, P3, P4], "news")):
        body = "\n\n".join(col(p, 20) for p in [opening, *paras, P4 if len(paras) == 3 else P2])
        quote = "\n\n".join(col(p, 12, lead=i == 0) for i, p in enumerate(paras))
        doc = run(" 会议强调要学习劳模精神\n\n" + body + "\n\n" + quote + "\n")
        assert [(u.kind, len(u.blocks)) for u in doc.units][-1] == (kind, len(paras))


def test_a_dateline_without_its_year_is_reported_as_printed_with_the_year_guessed():
    raw = "2023年11月26日 第3期\n\n 市教育工会表彰优秀教师\n\n" + col(N1, 20, lead=True) + "\n\n" + col(N2, 20) + "\n"
    doc = run(raw)
    assert doc.units[-1].date == "2023-11-24"
    [date] = [c for c in doc.changes if c.rule == "date"]
    assert (date.before, date.after, date.uncertain) == ("11月24日", "2023-11-24", True)
    assert "year taken from" in date.note


def test_two_news_items_of_one_frame_each_keep_the_credit_printed_after_them():
    raw = (col(N1, 20, lead=True) + "\n\n" + col(N2, 20) + "\n\n市总工会召开全市教育系统表彰会\n\n（市总工会宣教部）\n\n"
           + col("11月25日，" + S1, 20, lead=True) + "\n\n" + col(S2, 20) + "\n\n全市教师代表座谈交流育人心得\n\n（市教育工会）\n")
    doc = run(raw)
    assert [(u.title, u.author) for u in doc.units] == [("市总工会召开全市教育系统表彰会", "市总工会宣教部"),
                                                      ("全市教师代表座谈交流育人心得", "市教育工会")]
    assert [b.text[:6] for b in doc.units[1].blocks] == ["11月25日", S2[:6]]


@pytest.mark.parametrize("widths,units", [((13, 10), 2), ((13, 11), 1), ((20, 17), 2), ((20, 18), 1)])
def test_a_new_frame_of_another_width_starts_a_unit_from_three_ems_or_fifteen_percent(widths, units):
    # Two paragraphs, each in a frame of its own; the second frame's column is
    # narrower. Three ems (or 15 % of the wider column, when that is more)
    # mark another text box, so another unit; two ems are a ragged column.
    chars = "春夏秋冬东南西北上下左右前后天地山水日月风云雨雪花草树木江河湖海"
    first, second = (chars * 2)[:40] + "。", (chars[::-1] * 2)[:40] + "。"
    doc = run(col(first, widths[0], lead=True) + "\n\n" + col(second, widths[1], lead=True) + "\n")
    assert len(doc.units) == units
    assert sum(len(u.blocks) for u in doc.units) == 2
