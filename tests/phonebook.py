"""A small project unlike the sample, with photos, for the phone editions' tests.

A school union's issue honouring teachers: other groups, other titles, an
untitled photo unit, a vertical title, a long URL that could push a phone
page sideways, portraits present for some people (one found by name, one
PNG with transparency), missing for others, and a photo that is missing.
Images are drawn with Pillow, at print sizes.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

CONFIG = """\
title: 桃李芬芳 育人为本
subtitle: 第三届十佳教师表彰特刊
issue: 2023年第4期
date: 2023年9月
publisher: 市教育工会
keywords: [十佳教师, 师德]
source_date: "2023-09-10T00:00:00Z"
trim: A5
margins: {top: 16, bottom: 18, inner: 18, outer: 14}
output: {pages_multiple: 2}
units:
  - content/01-news.md
  - content/02-photo.md
  - content/03-article.md
  - content/04-roster.md
  - content/05-voices.md
  - content/06-roster.md
  - content/07-note.md
"""

UNITS = {
    "01-news.md": """\
---
kind: news
title: 我市隆重表彰第三届十佳教师
section: 新闻
date: 2023-09-08
place: 市文化中心
---
九月八日上午，第三届十佳教师表彰会在市文化中心举行。十位教师从全市推荐的一百二十名候选人中脱颖而出。

## 扎根课堂

获奖教师平均教龄二十一年，其中三位长期在乡村学校任教。他们的课堂录像已上传到市教育资源平台，供全市教师观摩学习。

![表彰会现场](images/ceremony.jpg)
""",
    "02-photo.md": """\
---
kind: caption
section: 新闻
---
![获奖教师与学生代表合影](images/students.png)

![获奖教师参观校史馆](images/museum.jpg)
""",
    "03-article.md": """\
---
kind: article
title: 把每一个孩子放在心上
author: 陈思远
affiliation: 市第二中学
section: 师德师风
vertical_title: true
---
教育是一项需要耐心的事业。孩子的成长不是一天完成的，教师的每一句话、每一次鼓励，都可能在学生心中留下长久的印记。

详细报道见 https://jiaoyu.example.org/news/2023/09/08/shijia-jiaoshi-biaozhang-dahui-quanwen-baodao-xiangqing-yemian.html 的全文页面。

> ——摘自《教育周刊》
""",
    "04-roster.md": """\
---
kind: roster
title: 十佳教师名单
group: 十佳教师
vertical_title: true
section: 光荣榜
---
""",
    "05-voices.md": """\
---
kind: testimonials
title: 教师寄语
group: 十佳教师
section: 光荣榜
---
""",
    "06-roster.md": """\
---
kind: roster
title: 优秀班主任名单
group: 优秀班主任
section: 光荣榜
---
""",
    "07-note.md": """\
---
kind: editors-note
title: 编后
section: 结语
vertical_title: true
---
本期特刊收录了表彰会的新闻、获奖教师的寄语与名单。感谢各校工会提供的照片和资料。
""",
}

HONOUREES = """\
honourees:
  - id: t01
    name: 王丽
    gender: 女
    group: 十佳教师
    affiliation: 市实验小学
    post: 语文教师
    testimonial: |-
      站在讲台上二十年，我最大的收获是看到学生一天天长大。

      荣誉属于每一位默默付出的同事。
  - id: t02
    name: 赵国强
    group: 十佳教师
    affiliation: 城东乡中心学校
    post: 数学教师
    testimonial: |-
      乡村的孩子同样值得最好的教育，我会一直留在这里。
  - id: t03
    name: 欧阳晓
    ethnicity: 土族
    group: 十佳教师
    affiliation: 市第二中学
    post: 物理教师
    testimonial: |-
      实验室里的每一次失败，都是学生学会思考的机会。
  - id: t04
    name: 刘明
    group: 十佳教师
    affiliation: 市职业技术学校
    post: 机电专业教师
  - id: b01
    name: 孙静
    gender: 女
    group: 优秀班主任
    affiliation: 市第一中学
    post: 高二（3）班班主任
  - id: b02
    name: 马建华
    group: 优秀班主任
    affiliation: 城西小学
    post: 五年级班主任
"""


def _photo(path: Path, size: tuple[int, int], colour: tuple[int, int, int], mode: str = "RGB") -> None:
    """A picture with visible structure (bands and a disc), so resizing has something to keep."""
    im = Image.new(mode, size, colour + ((0,) if mode == "RGBA" else ()))
    draw = ImageDraw.Draw(im)
    w, h = size
    for i in range(0, w, max(1, w // 12)):
        draw.rectangle([i, 0, i + w // 24, h], fill=tuple(min(255, c + 40) for c in colour) + ((255,) if mode == "RGBA" else ()))
    draw.ellipse([w // 4, h // 4, 3 * w // 4, 3 * h // 4], fill=(250, 250, 250) + ((255,) if mode == "RGBA" else ()))
    if mode == "RGBA":
        im.save(path, "PNG")
    else:
        im.save(path, "JPEG", quality=90)


def make_project(root: Path) -> Path:
    (root / "content").mkdir(parents=True)
    (root / "images").mkdir()
    (root / "booklet.yaml").write_text(CONFIG, "utf-8")
    for name, text in UNITS.items():
        (root / "content" / name).write_text(text, "utf-8")
    (root / "content" / "honourees.yaml").write_text(HONOUREES, "utf-8")
    _photo(root / "images" / "ceremony.jpg", (2400, 1600), (60, 90, 140))
    _photo(root / "images" / "students.png", (1800, 1200), (140, 60, 60), mode="RGBA")
    _photo(root / "images" / "t01.jpg", (1800, 2400), (90, 120, 80))       # by id
    _photo(root / "images" / "赵国强.jpg", (1500, 2000), (120, 90, 60))     # by name
    # 欧阳晓 (t03) has no portrait; images/museum.jpg is missing too.
    return root
