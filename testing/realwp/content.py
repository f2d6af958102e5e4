"""What a test site holds: Lao posts with every feature the crawler must get right, as a spec.

Why: the spec only says what to insert; the ground truth is read back from WordPress after
``fill.php`` has inserted it (WordPress decides titles, slugs, term order and rendering). The
spec is deterministic, so every site of a session holds the same posts in its own setup.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from html import escape
from typing import Any

from testing.samplesite import lexicon

AUTHORS = (
    ("somphone", "ສົມພອນ ແສງດາລາ"),
    ("bouasone", "ບົວສອນ ພົມມະຈັນ"),
    ("khamla", "Khamla Vongsa"),
    ("nali", "ນາລີ ໄຊຍະວົງ"),
)
ADMIN_DISPLAY_NAME = "ກອງບັນນາທິການ"
CATEGORIES = ("ການເມືອງ", "ເສດຖະກິດ", "ສັງຄົມ", "ກິລາ", "ຕ່າງປະເທດ", "ວັດທະນະທຳ & ທ່ອງທ່ຽວ")
TAGS = (
    "ນະຄອນຫຼວງວຽງຈັນ", "ກະສິກຳ & ປ່າໄມ້", "ການສຶກສາ", "ສາທາລະນະສຸກ", "ພະລັງງານ",
    "ອາຊຽນ", "COVID-19", "ໄພພິບັດ",
)  # fmt: skip
IMAGE_PATH = "/wp-content/uploads/2025/01/realwp-photo.png"
PUBLISHED_POSTS = 40
FIRST_DATE = datetime(2025, 1, 6, 8, 15)

# Predicates and objects of the generated sentences (the names come from the lexicon).
_ACTS = (
    "ໄດ້ເປັນປະທານກອງປະຊຸມກ່ຽວກັບ", "ໄດ້ລົງຢ້ຽມຢາມ", "ໄດ້ລາຍງານຜົນການຈັດຕັ້ງປະຕິບັດ",
    "ໄດ້ເຊັນບົດບັນທຶກຄວາມເຂົ້າໃຈວ່າດ້ວຍ", "ໄດ້ມອບເງິນຊ່ວຍເຫຼືອໃຫ້ແກ່", "ໄດ້ຕີລາຄາສູງຕໍ່",
    "ໄດ້ເປີດຝຶກອົບຮົມກ່ຽວກັບ", "ໄດ້ຖະແຫຼງຂ່າວກ່ຽວກັບ",
)  # fmt: skip
_THINGS = (
    "ແຜນພັດທະນາເສດຖະກິດ-ສັງຄົມ", "ໂຄງການນ້ຳສະອາດ", "ການປູກຝັງກາເຟ", "ການສຶກສາຂັ້ນພື້ນຖານ",
    "ການປ້ອງກັນພະຍາດໄຂ້ຍຸງ", "ເສັ້ນທາງເລກທີ 13", "ການທ່ອງທ່ຽວແບບຍືນຍົງ", "ໄຟຟ້າຊົນນະບົດ",
    "ການຄ້າຊາຍແດນ", "ການຫຼຸດຜ່ອນຄວາມທຸກຍາກ",
)  # fmt: skip


class LaoText:
    """Sentences that read like Lao news, never the same twice (names, places, numbers vary)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def person(self) -> str:
        pick = self.rng.choice
        return f"{pick(lexicon.HONORIFICS)} {pick(lexicon.FIRST_NAMES)} {pick(lexicon.LAST_NAMES)}"

    def sentence(self) -> str:
        pick, number = self.rng.choice, self.rng.randint
        if self.rng.random() < 0.3:
            return f"ຢູ່{pick(lexicon.PROVINCES)} {pick(lexicon.STOCK_SENTENCES)}"
        return (
            f"{self.person()} {pick(lexicon.MINISTRIES)} {pick(_ACTS)}{pick(_THINGS)} "
            f"ຢູ່ເມືອງ{pick(lexicon.DISTRICTS)} {pick(lexicon.PROVINCES)} "
            f"ມີຜູ້ເຂົ້າຮ່ວມ {number(12, 480)} ຄົນ ໃນວັນທີ {number(1, 28)} "
            f"{pick(lexicon.MONTHS_LAO)} {number(2019, 2025)}."
        )

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(2, 4)))

    def title(self) -> str:
        pick = self.rng.choice
        return f"{pick(lexicon.PROVINCES)} {pick(_ACTS)}{pick(_THINGS)} {self.rng.randint(2, 99)}"


def block(name: str, html: str, attrs: str = "") -> str:
    """One block as the block editor saves it."""
    opening = f"<!-- wp:{name} {attrs} -->" if attrs else f"<!-- wp:{name} -->"
    return f"{opening}\n{html}\n<!-- /wp:{name} -->"


def paragraphs(text: LaoText, count: int) -> list[str]:
    return [
        block("paragraph", f"<p>{escape(text.paragraph(), quote=False)}</p>") for _ in range(count)
    ]


def _special_bodies(text: LaoText) -> dict[str, str]:
    """Bodies of the posts that each test one feature of real content."""
    image = (
        '<figure class="wp-block-image size-full"><img src="{home}' + IMAGE_PATH + '" alt=""/>'
        f"<figcaption>{text.sentence()}</figcaption></figure>"
    )
    caption = (
        f'[caption id="" align="aligncenter" width="300"]<img src="{{home}}{IMAGE_PATH}" '
        f'width="300" height="200" alt="" /> {text.sentence()}[/caption]'
    )
    rows = "".join(
        f"<tr><td>{text.rng.choice(lexicon.PROVINCES)}</td><td>{text.rng.randint(100, 9999)}</td>"
        f"<td>{text.rng.choice(_THINGS)}</td></tr>"
        for _ in range(5)
    )
    table = f'<figure class="wp-block-table"><table><tbody>{rows}</tbody></table></figure>'
    items = "".join(f"<li>{text.sentence()}</li>" for _ in range(5))
    nextpage = "\n\n" + block("nextpage", "<!--nextpage-->") + "\n\n"
    pages = ["\n\n".join(paragraphs(text, 3)) for _ in range(3)]
    return {
        "images": "\n\n".join([*paragraphs(text, 2), block("image", image), *paragraphs(text, 1)]),
        "caption-shortcode": f"{text.paragraph()}\n\n{caption}\n\n{text.paragraph()}",
        "table": "\n\n".join([*paragraphs(text, 2), block("table", table), *paragraphs(text, 1)]),
        "list": "\n\n".join([*paragraphs(text, 1), block("list", f"<ul>{items}</ul>")]),
        "multipage": nextpage.join(pages),
        "entities": "\n\n".join(
            [
                *paragraphs(text, 2),
                block(
                    "paragraph", f'<p>{text.sentence()} "ກະສິກຳ &amp; ປ່າໄມ້" 5 &lt; 10 &#8211; ok</p>'
                ),
                *paragraphs(text, 1),
            ]
        ),
    }


def site_spec(theme: str, permalink_structure: str, seed: int = 10) -> dict[str, Any]:
    """Everything ``fill.php`` inserts into one site (``{home}`` stands for its home URL)."""
    rng = random.Random(seed)
    text = LaoText(rng)
    special = _special_bodies(text)
    logins = ["admin", *(login for login, _ in AUTHORS)]
    posts: list[dict[str, Any]] = []

    def add(key: str, title: str, content: str, day: int, **extra: Any) -> dict[str, Any]:
        date = FIRST_DATE + timedelta(days=day * 3, hours=rng.randint(0, 12), minutes=day)
        post = {
            "key": key,
            "type": "post",
            "status": "publish",
            "title": title,
            "content": content,
            "author": logins[day % len(logins)],
            "date": date.strftime("%Y-%m-%d %H:%M:%S"),
            "categories": rng.sample(CATEGORIES, rng.randint(1, 2)),
            "tags": rng.sample(TAGS, rng.randint(0, 3)),
            "comments": [],
            **extra,
        }
        posts.append(post)
        return post

    keys = {5: "sticky", 8: "images", 11: "caption-shortcode", 14: "table", 17: "list"}
    keys |= {20: "multipage", 23: "entities", 26: "emoji", 29: "original", 36: "repost"}
    for day in range(PUBLISHED_POSTS):
        key = keys.get(day, f"post-{day:02d}")
        body = special.get(key) or "\n\n".join(paragraphs(text, rng.randint(3, 6)))
        title = text.title()
        if key == "entities":
            title = f'{title} &amp; ບົດສຳພາດ "ພິເສດ" ກັບ {text.person()}'
        elif key == "emoji":
            title = f"🎉 {title} ປີໃໝ່ລາວ 🇱🇦"
        elif key == "repost":
            body = posts[29]["content"]  # the same body as "original", re-published later
        post = add(key, title, body, day)
        if key == "sticky":
            post["sticky"] = True
        if day % 7 == 3:
            post["modified"] = (FIRST_DATE + timedelta(days=day * 3 + 2)).strftime(
                "%Y-%m-%d %H:%M:%S"
            )
        if day % 6 == 1:
            post["comments"] = [
                {
                    "author": text.person(),
                    "text": text.paragraph(),
                    "date": (FIRST_DATE + timedelta(days=day * 3 + 1, hours=i)).strftime(
                        "%Y-%m-%d %H:%M:%S"
                    ),
                }
                for i in range(3)
            ]
    for key, status, extra in (
        ("password", "publish", {"password": "ລະຫັດ"}),
        ("private", "private", {}),
        ("draft", "draft", {}),
        ("future", "future", {}),
    ):
        post = add(key, text.title(), "\n\n".join(paragraphs(text, 3)), PUBLISHED_POSTS, **extra)
        post["status"] = status
        if key == "future":
            post["date"] = "2031-05-01 09:00:00"
    page = add("page", "ກ່ຽວກັບພວກເຮົາ", "\n\n".join(paragraphs(text, 2)), 3)
    page["type"] = "page"
    return {
        "blog_title": "ຂ່າວທົດສອບ realwp",
        "tagline": "ຂ່າວສານລາວ",
        "timezone": "Asia/Vientiane",
        "theme": theme,
        "permalink_structure": permalink_structure,
        "admin_display_name": ADMIN_DISPLAY_NAME,
        "authors": [{"login": login, "display_name": name} for login, name in AUTHORS],
        "categories": list(CATEGORIES),
        "tags": list(TAGS),
        "posts": posts,
    }
