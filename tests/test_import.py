"""Importing the seed issue: fidelity, artefacts, honourees, bad input, re-import."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from booklet.errors import BookletError
from booklet.importing.importer import decode_raw, import_raw

ROOT = Path(__file__).resolve().parents[1]
SEED = Path(__file__).resolve().parents[1] / "source" / "raw-2020-model-workers.txt"
CORRECTIONS = ROOT / "content" / "corrections.yaml"


# Faux-bold (doubled) testimonial lines and the doubled title, read off the seed by eye.
DOUBLED = [(1236, 1238), (2017, 2035), (2041, 2059), (2064, 2082), (2090, 2106), (2223, 2245), (2247, 2265),
           (2274, 2296), (2302, 2326), (2434, 2456), (2458, 2476), (2487, 2509), (2515, 2539), (2724, 2744),
           (2746, 2766), (2775, 2801), (2803, 2825)]
FULLWIDTH = str.maketrans({",": "，", "!": "！", "?": "？", ";": "；", ":": "："})


def new_project(tmp: Path) -> Path:
    (tmp / "content").mkdir(parents=True)
    shutil.copy(CORRECTIONS, tmp / "content" / "corrections.yaml")
    return tmp


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    project = new_project(tmp_path_factory.mktemp("seed"))
    return project, import_raw(SEED, project)


def read_unit(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    _, fm, body = text.split("---\n", 2)
    return yaml.safe_load(fm), body


def honourees(project: Path) -> list[dict]:
    return yaml.safe_load((project / "content" / "honourees.yaml").read_text(encoding="utf-8"))["honourees"]


def in_doubled(n: int) -> bool:
    return any(a <= n <= b for a, b in DOUBLED)


def raw_lines() -> list[str]:
    return SEED.read_text(encoding="utf-8").split("\n")


# ---------------------------------------------------------------- fidelity


def test_every_character_is_accounted_for(imported):
    """Multiset of characters: raw text with artefacts removed (an independent
    route: folios and ornament lines dropped, doubled lines counted half)
    == everything the import produced, + ornaments + second copies of names."""
    project, result = imported
    expected: Counter = Counter()
    for n, line in enumerate(raw_lines(), 1):
        s = re.sub(r"\s+", "", line)
        if re.fullmatch(r"\d{1,3}", s) or re.fullmatch(r"\d{4}—\d{4}", s):
            continue                                    # folio / year-range ornament
        if in_doubled(n):
            counts = Counter(s)
            assert all(v % 2 == 0 for v in counts.values()), f"line {n} is not a doubled line"
            counts = Counter({k: v // 2 for k, v in counts.items()})
        else:
            counts = Counter(s)
        if re.fullmatch(r"（[^（）]+）", s):
            counts -= Counter("（）")                     # a source credit becomes author:
        expected += counts

    produced = []
    sections = set()
    for rel in result.units_list:
        meta, body = read_unit(project / rel)
        for key in ("title", "subtitle", "author", "affiliation", "note"):
            produced.append(str(meta.get(key) or ""))
        if meta.get("section"):
            sections.add(meta["section"])
        for para in body.split("\n\n"):
            para = para.strip()
            if para.startswith("## "):
                para = para[3:]
            m = re.fullmatch(r"!\[(.*)\]\(.*\)", para)
            produced.append(m.group(1) if m else para)
    # Metadata the editor supplied (editor_meta corrections) is not source text:
    # take it back out, once per unit it was applied to.
    from booklet.importing.corrections import load_corrections
    editor = [c for c in load_corrections(project / "content" / "corrections.yaml").items if c.kind == "editor_meta"]
    for c in editor:
        for key in ("title", "subtitle", "author", "affiliation", "note"):
            if key in c.args:
                produced.remove(str(c.args[key]))
    sections -= {str(c.args["section"]) for c in editor if "section" in c.args}
    produced.extend(sections)
    for h in honourees(project):
        ann = "".join(x for x in (h.get("gender"), h.get("ethnicity")) if x)
        ann = f"（{'，'.join(x for x in (h.get('gender'), h.get('ethnicity')) if x)}）" if ann else ""
        printed = h["affiliation"] + h.get("post", "")
        produced += [h["name"], ann, printed, h.get("testimonial", "")]
        produced += [h["name"], printed]                # the signature under the testimonial
    produced += [o.text for o in result.document.ornaments]
    # the "——" before a subtitle is not kept (the layout prints it), so dashes are compared apart
    actual = Counter(re.sub(r"\s+", "", "".join(produced)).translate(FULLWIDTH))
    expected = Counter("".join(k * v for k, v in expected.items()).translate(FULLWIDTH))
    dashed = [l.strip() for l in raw_lines() if l.strip().startswith("——")]
    assert expected.pop("—") - actual.pop("—") == 2 * len(dashed) == 6
    assert actual - expected == Counter() and expected - actual == Counter(), \
        f"extra: {dict(actual - expected)} missing: {dict(expected - actual)}"


def flow_text() -> str:
    """The raw text in reading order (the editor's move_lines applied), folios
    and ornament lines dropped, doubled lines undoubled by a regex (shortest
    blocks first — another method than the importer's), whitespace removed."""
    lines = list(enumerate(raw_lines(), 1))
    corr = yaml.safe_load(CORRECTIONS.read_text(encoding="utf-8"))["corrections"]
    for c in corr:
        if "move_lines" in c:
            mv = c["move_lines"]
            block = [x for x in lines if mv["first"] <= x[0] <= mv["last"]]
            rest = [x for x in lines if not mv["first"] <= x[0] <= mv["last"]]
            at = next(i for i, x in enumerate(rest) if x[0] == mv["after"])
            lines = rest[:at + 1] + block + rest[at + 1:]
    out = []
    for n, line in lines:
        s = re.sub(r"\s+", "", line)
        if re.fullmatch(r"\d{1,3}", s) or re.fullmatch(r"\d{4}—\d{4}", s):
            continue
        if in_doubled(n):
            parts = []
            while s:
                m = re.match(r"(.+?)\1", s)
                parts.append(m.group(1))
                s = s[m.end():]
            s = "".join(parts)
        out.append(s)
    return "".join(out).translate(FULLWIDTH)


def is_subsequence(needle: str, hay: str) -> bool:
    it = iter(hay)
    return all(ch in it for ch in needle)


def test_sentences_keep_their_order(imported):
    project, result = imported
    flow = flow_text()
    for rel in result.units_list:
        meta, body = read_unit(project / rel)
        text = re.sub(r"\s+|^## |!\[|\]\(.*?\)", "", body, flags=re.M).translate(FULLWIDTH)
        assert is_subsequence(text, flow), rel
        for sentence in re.findall(r"[^。！？]{6,}[。！？]", text):
            if meta["kind"] not in ("testimonials", "roster"):
                # every sentence is in the raw text, possibly split by a displaced title block
                head, tail = sentence[:6], sentence[-6:]
                assert head in flow and tail in flow, (rel, sentence)
    for h in honourees(project):
        for t in [h.get("testimonial", "")]:
            assert is_subsequence(re.sub(r"\s+", "", t).translate(FULLWIDTH), flow), h["name"]


def test_no_artefacts_left(imported):
    project, result = imported
    texts = []
    for rel in result.units_list:
        _, body = read_unit(project / rel)
        texts.append(body)
    texts += [h.get("testimonial", "") for h in honourees(project)]
    everything = "\n".join(texts)
    assert not re.search(r"([，。、；：！？”“])\1", everything)           # doubled punctuation
    assert not re.search(r"([^\s\d]{2,})\1", everything)                # doubled runs of 4+ characters
    assert not re.search(r"^\s*\d{1,3}\s*$", everything, re.M)          # folios
    assert not re.search(r"[\u4e00-\u9fff，。] +[\u4e00-\u9fff，。]", everything)  # CJK space CJK
    assert "1950—2020" not in everything
    for word in ("当好主人翁", "建功新时代"):                           # page ornaments not in testimonials
        assert all(word not in h.get("testimonial", "") for h in honourees(project))
    flow = flow_text()
    for real in ("扎扎实实", "一代又一代", "千千万万", "殷殷", "天天", "兢兢业业"):
        assert everything.count(real) == flow.count(real)       # real repeats survive, none invented
    assert everything.count("扎扎实实") == 2 and "四个“扎扎实实”要求" in everything


def test_units(imported):
    project, result = imported
    got = [(u["kind"], u["title"]) for u in result.units]
    # 01's headline is supplied by the editor (editor_meta): the source prints none.
    assert got[:4] == [("news", "全国劳动模范和先进工作者表彰大会在北京隆重举行"), ("caption", ""),
                       ("speech", "在全国劳动模范和先进工作者表彰大会上的讲话"),
                       ("article", "团结动员亿万职工建功新征程")]
    kinds = [k for k, _ in got]
    assert kinds.count("speech") == 3 and kinds.count("roster") == 2 and kinds.count("testimonials") == 2
    assert "editors-note" in kinds and "quote" in kinds
    assert result.units_list == [u["file"] for u in result.units]
    assert yaml.safe_load((project / "content" / "units.yaml").read_text())["units"] == result.units_list
    speech, _ = read_unit(project / result.units_list[2])
    assert speech["author"] == "习近平" and speech["date"] == "2020-11-24"
    roster, body = read_unit(project / result.units_list[11])
    assert roster == {"kind": "roster", "title": "全国劳动模范", "vertical_title": True, "group": "全国劳动模范",
                      "section": "光荣榜", "source_lines": [1872, 1931]} and body == ""
    by_title = {u["title"]: u for u in result.units}
    ganxiao, body = read_unit(project / by_title["民族的精英 人民的楷模 共和国的功臣"]["file"])
    assert ganxiao["author"] == "省总干校" and ganxiao["subtitle"] == "新时代“劳动”观念的觉醒"
    assert "技能型、创新型劳动者大军" in body        # text moved back by the editor correction
    xuanjiao, body = read_unit(project / by_title["大力弘扬劳模精神劳动精神工匠精神 汇聚起奋进新征程的强大力量"]["file"])
    assert "依靠工人阶级方针的生动体现" in body      # rejoined across the title block
    for rel in result.units_list:                    # the lead's reader accepts every file
        from booklet.content import parse_unit
        parse_unit(project / rel, project)


def test_all_honourees(imported):
    project, result = imported
    people = honourees(project)
    assert len(people) == 35 and result.honourees == 35 and result.with_testimonial == 35
    assert sum(h["group"] == "全国劳动模范" for h in people) == 25
    assert sum(h["group"] == "全国先进工作者" for h in people) == 10
    assert [h["id"] for h in people] == [f"h{i:02d}" for i in range(1, 36)]
    # affiliation + post is exactly the printed roster line (read here with a plain regex)
    printed = {}
    lines = raw_lines()
    for n in list(range(1879, 1932)) + list(range(2601, 2622)):
        line = lines[n - 1].strip()
        if not line:
            continue
        starts = (" " in line or re.match(r"^\S{2,5}（[^）]*(女|族)）", line)) and \
            not (printed and printed[list(printed)[-1]][1].endswith("、"))
        if not starts:
            printed[list(printed)[-1]][1] += line
            continue
        if re.match(r"^\S \S[ （]", line):
            name, rest = line[0] + line[2], line[3:].strip()
        else:
            name = re.match(r"^[^\s（]+", line).group(0)
            rest = line[len(name):].strip()
        ann = re.match(r"^（[^）]+）", rest)
        printed[name] = [ann.group(0) if ann else "", rest[ann.end():].strip() if ann else rest]
    assert set(printed) == {h["name"] for h in people}
    for h in people:
        ann, aff = printed[h["name"]]
        assert h["affiliation"] + h.get("post", "") == aff.replace(" ", "")
        assert (h.get("gender", ""), h.get("ethnicity", "")) == (
            "女" if "女" in ann else "", (re.search(r"[\u4e00-\u9fff]+族", ann) or [""])[0])
        assert h["testimonial"]
    by = {h["name"]: h for h in people}
    assert (by["岳虹"].get("gender"), by["岳虹"].get("ethnicity")) == ("女", "藏族")
    assert by["韩木海买"]["ethnicity"] == "撒拉族" and by["切阳什姐"]["gender"] == "女"
    assert by["扎加"]["post"].endswith("格欠村纪委委员")
    for name, words in {"扎保": "医者仁心", "完德尖措": "热贡文化", "扎加": "藏迪合作社", "侯生珍": "作为一名教师",
                        "许振林": "农机化", "李海燕": "税务人", "赵新录": "可可西里", "邵勇": "民营经济",
                        "王玉辉": "企业家精神", "于本蕃": "青藏铁路", "王琳": "电网", "宗冰": "硅材料"}.items():
        assert words in by[name]["testimonial"], name


def test_report(imported):
    project, result = imported
    html = (project / "output" / "import-report.html").read_text(encoding="utf-8")
    top = html.index("Needs review")
    assert top < html.index("Every change")
    assert "text may be missing here (source line 1095 truncated)" in html
    assert "text may be missing here (source line 1394 truncated)" in html
    assert html.count("truncated)") >= 30
    for rule in ("undouble_faux_bold", "rebuild_vertical_titles", "drop_folios", "join_split_numbers",
                 "join_wrapped_lines", "strip_cjk_spaces", "pair_testimonial", "correction:move_lines"):
        assert rule in html
    flagged = {c.source_line for c in result.review}
    assert {2331, 2352} <= flagged                      # 王玉辉 / 邵勇 stay for the editor to confirm


# ---------------------------------------------------------------- bad input


def snapshot(folder: Path) -> dict:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (b"  \n\n \n", "empty"),
    ("全国劳动模范和先进工作者表彰大会隆重举行。".encode("gbk"), "iconv -f GBK -t UTF-8"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    (bytes(range(1, 32)) * 20, "binary"),
    ("09\n\n13\n\n1950—2020\n".encode(), "no recognisable units"),
])
def test_bad_input_is_refused_and_touches_nothing(tmp_path, data, message):
    project = new_project(tmp_path / "p")
    (project / "content" / "01-news.md").write_text("---\nkind: news\n---\n编辑改过的文字。\n", encoding="utf-8")
    before = snapshot(project)
    raw = tmp_path / "raw.txt"
    raw.write_bytes(data)
    with pytest.raises(BookletError) as err:
        import_raw(raw, project)
    assert message in str(err.value)
    assert snapshot(project) == before


def test_missing_raw_file(tmp_path):
    with pytest.raises(BookletError, match="not found"):
        import_raw(tmp_path / "nope.txt", tmp_path)


def test_decode_raw_accepts_bom_and_crlf():
    assert decode_raw("\ufeff同志们：\r\n".encode()) == "同志们：\r\n"


# ---------------------------------------------------------------- re-import


def test_reimport_keeps_editor_changes(tmp_path):
    project = new_project(tmp_path / "p")
    first = import_raw(SEED, project)
    speech = project / first.units_list[2]
    again = import_raw(SEED, project)
    assert again.conflicts == [] and again.written == [] and len(again.unchanged) == len(first.written)

    edited = speech.read_text(encoding="utf-8").replace("同志们：", "同志们、朋友们：", 1)
    speech.write_text(edited, encoding="utf-8")
    third = import_raw(SEED, project)
    assert speech.read_text(encoding="utf-8") == edited             # not overwritten
    new = speech.with_name(speech.stem + ".new.md")
    assert new.is_file() and "同志们：" in new.read_text(encoding="utf-8")
    [conflict] = third.conflicts
    assert conflict.path == first.units_list[2] and "-同志们、朋友们：" in conflict.diff and "+同志们：" in conflict.diff
    html = (project / "output" / "import-report.html").read_text(encoding="utf-8")
    assert "同志们、朋友们" in html and conflict.new_path in html

    fourth = import_raw(SEED, project)                              # still edited: still not overwritten
    assert speech.read_text(encoding="utf-8") == edited and len(fourth.conflicts) == 1

    importer_version = new.read_text(encoding="utf-8")
    forced = import_raw(SEED, project, force=True)
    assert forced.overwritten == [first.units_list[2]]
    assert speech.read_text(encoding="utf-8") == importer_version
    assert not new.exists()                                         # the stale .new file is gone
    assert import_raw(SEED, project).conflicts == []


def test_report_is_escaped(tmp_path):
    project = new_project(tmp_path / "p")
    (project / "content" / "corrections.yaml").unlink()
    raw = tmp_path / "raw.txt"
    raw.write_text(" 同志们：\n\n我们要学习<script>alert(1)</script>的精神，\n\n把工作做好。\n", encoding="utf-8")
    import_raw(raw, project)
    html = (project / "output" / "import-report.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html
