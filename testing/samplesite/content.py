"""The sample blog's model: posts, terms, authors, traps and clean Lao text, from (posts, seed).

Why: the crawler is tested against a site whose every page and every expected record is known.
The model is built once and cheaply (metadata only); post text is generated on demand from a
per-post seed, so a 20,000-post site builds in about a second and nothing big is kept.
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from testing.samplesite import lexicon as lx
from testing.samplesite.seedtext import SEED_AUTHOR, SEED_DATE, SEED_PARAGRAPHS, SEED_TITLE

TZ = timezone(timedelta(hours=7))  # Asia/Vientiane has no DST; a fixed offset is exact.
START = datetime(2014, 1, 1, tzinfo=TZ)
END = datetime(2024, 12, 31, 23, 59, tzinfo=TZ)
MIN_POSTS = 40
PER_PAGE = 10
SITE_NAME = "LSR"
SITE_DESCRIPTION = "ຂ່າວສານ ແລະ ເຫດການຕ່າງໆ ໃນ ສປປ ລາວ"


@dataclass(frozen=True, slots=True)
class Term:
    """A category or tag; ids are shared across taxonomies as in WordPress."""

    id: int
    slug: str
    name: str
    taxonomy: str  # "category" or "post_tag"


@dataclass(frozen=True, slots=True)
class Author:
    """A WordPress user; the login doubles as display name, as on the real site."""

    id: int
    login: str


CATEGORIES: tuple[Term, ...] = (
    Term(2, "news", "ຂ່າວ", "category"),
    Term(3, "social", "ສັງຄົມ", "category"),
    Term(4, "economy", "ເສດຖະກິດ", "category"),
    Term(5, "politics", "ການເມືອງ", "category"),
    Term(6, "education", "ການສຶກສາ", "category"),
    Term(7, "health", "ສາທາລະນະສຸກ", "category"),
    Term(8, "culture", "ວັດທະນະທຳ", "category"),
    Term(9, "international", "ຕ່າງປະເທດ", "category"),
    Term(10, "members", "ສະມາຊິກ", "category"),
)
MEMBERS = "members"
REGULAR_CATEGORIES: tuple[str, ...] = tuple(c.slug for c in CATEGORIES if c.slug != MEMBERS)

TAGS: tuple[Term, ...] = tuple(
    Term(11 + i, slug, name, "post_tag")
    for i, (slug, name) in enumerate(
        (
            ("asean", "ອາຊຽນ"),
            ("mekong", "ແມ່ນ້ຳຂອງ"),
            ("anti-trafficking", "ຕ້ານການຄ້າມະນຸດ"),
            ("covid-19", "ໂຄວິດ-19"),
            ("agriculture", "ກະສິກຳ"),
            ("tourism", "ທ່ອງທ່ຽວ"),
            ("energy", "ພະລັງງານ"),
            ("youth", "ໄວໜຸ່ມ"),
            ("women", "ແມ່ຍິງ"),
            ("sports", "ກິລາ"),
            ("environment", "ສິ່ງແວດລ້ອມ"),
            ("drugs", "ຢາເສບຕິດ"),
            ("disaster", "ໄພພິບັດ"),
            ("investment", "ການລົງທຶນ"),
            ("festival", "ບຸນປະເພນີ"),
            ("roads", "ເສັ້ນທາງ"),
        )
    )
)

AUTHORS: tuple[Author, ...] = (
    Author(1, "admin"),
    Author(2, "somchan"),
    Author(3, "khamphet"),
    Author(4, "vilayphone"),
)
_AUTHOR_WEIGHTS = (1, 5, 2, 2)

CATEGORY_BY_SLUG = {c.slug: c for c in CATEGORIES}
TAG_BY_SLUG = {t.slug: t for t in TAGS}
AUTHOR_BY_LOGIN = {a.login: a for a in AUTHORS}

TRANSIENT_PATH = "/page/3/"
EPOCHS = (1, 2)
EPOCH_2_NEW_POSTS = 5
EPOCH_2_EDITS = 3
# The paragraph an editor adds to each post edited in epoch 2 (clean Lao: "Correction: ...").
EPOCH_2_CORRECTION = "ໝາຍເຫດ: ບົດຂ່າວນີ້ໄດ້ຮັບການແກ້ໄຂ ແລະ ປັບປຸງຂໍ້ມູນໃຫ້ຖືກຕ້ອງຕາມການລາຍງານຂອງເຈົ້າໜ້າທີ່ກ່ຽວຂ້ອງ."
DISALLOWED_PREFIXES: tuple[str, ...] = ("/wp-admin/", "/category/members/")

# --- canonical clean text -------------------------------------------------------------------

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
TONE_MARKS = "\u0ec8\u0ec9\u0eca\u0ecb"
ABOVE_MARKS = "\u0eb1\u0eb4\u0eb5\u0eb6\u0eb7\u0ebb\u0ecd\u0ebc"  # tone marks go after these
_NOT_CLEAN = re.compile(
    f"[{ZERO_WIDTH}\u00a0\\n\\r\\t]"  # zero-width, NBSP, line breaks
    "|  |^ | $"  # doubled, leading or trailing spaces
    "|\u0ecd[\u0ec8-\u0ecb]?\u0eb2"  # ຳ spelled as ໍ + າ
    f"|[{TONE_MARKS}][{ABOVE_MARKS}]"  # tone mark before its vowel
)


def check_clean(text: str) -> None:
    """Raise ValueError unless `text` is in the canonical form the crawler's cleaner targets.

    Why: the ground truth is only useful if it is exactly what a correct cleaner produces.
    """
    if not text:
        raise ValueError("empty text")
    bad = _NOT_CLEAN.search(text)
    if bad:
        raise ValueError(f"non-canonical text at {bad.start()}: {text[:60]!r}")
    if not unicodedata.is_normalized("NFC", text):
        raise ValueError(f"text is not NFC: {text[:60]!r}")


# --- the post record ------------------------------------------------------------------------


@dataclass(slots=True)
class Post:
    """One published post; text lives in SampleSite.paragraphs(), generated on demand."""

    id: int
    index: int  # position in chronological order
    title: str
    author: str
    published: datetime
    modified: datetime | None
    categories: tuple[str, ...]  # slugs, in the order of the cat-links footer
    tags: tuple[str, ...]
    date_style: str  # "time" (<time> element), "text" (visible date only) or "none"
    dirty: bool
    text_key: int  # id whose text this post carries (a repost shares its original's)
    topic: str  # primary regular category, drives the grammar
    repost_of: int | None = None
    near_duplicate_of: int | None = None  # id of the original this post reposts with edits
    edit: str | None = None  # the kind of edit: one of NEAR_DUPLICATE_EDITS
    frame: int | None = None  # index into lexicon.BOILERPLATE: shared opening and closing
    revision: int = 0  # edits made after epoch 1 (title and body changed, modified set)

    @property
    def path(self) -> str:
        """Site-relative permalink."""
        return f"/{self.id}/"

    @property
    def last_modified(self) -> datetime:
        """What WordPress reports as modification time (the publish time if never edited)."""
        return self.modified or self.published


# --- near-duplicate reposts and boilerplate ---------------------------------------------------

# What a near-duplicate repost changes in its original (each kind planted once).
NEAR_DUPLICATE_EDITS: tuple[str, ...] = ("headline", "credit", "words", "paragraph")
_EDITED_WORDS = 3
_MAX_EDITED_WORD = 15  # characters: edit words, not whole phrases
_NUMBER = re.compile(r"\d+")


def paragraph_count(seed: int, key: int) -> int:
    """How many paragraphs generate_paragraphs(seed, key, ...) makes, without generating them.

    Why: reposts are planted before any text exists, on originals whose length suits the edit.
    """
    return random.Random(f"lsr-text:{seed}:{key}").randint(2, 6)


def edit_paragraphs(paragraphs: tuple[str, ...], edit: str, rng: random.Random) -> tuple[str, ...]:
    """The text of a near-duplicate repost: the original's paragraphs with one kind of edit.

    headline: (the title changes elsewhere) one figure of the text is updated; credit: a credit
    line is added as a last paragraph; words: a few short words are replaced; paragraph: the
    shortest paragraph after the lead is dropped. The result is never the original text.
    """
    paras = list(paragraphs)
    if edit == "headline":
        at = next(i for i, p in enumerate(paras) if _NUMBER.search(p))
        paras[at] = _NUMBER.sub(lambda m: str(int(m.group()) + 1), paras[at], count=1)
    elif edit == "credit":
        paras.append(rng.choice(lx.CREDIT_LINES))
    elif edit == "words":
        words = [para.split(" ") for para in paras]
        spots = [
            (i, j)
            for i, para in enumerate(words)
            for j, word in enumerate(para)
            if len(word) <= _MAX_EDITED_WORD and not _NUMBER.search(word) and word[-1] not in ".:,"
        ]
        for i, j in rng.sample(spots, _EDITED_WORDS):
            words[i][j] = rng.choice([w for w in lx.EDIT_WORDS if w != words[i][j]])
        paras = [" ".join(para) for para in words]
    elif edit == "paragraph":
        del paras[min(range(1, len(paras)), key=lambda i: (len(paras[i]), i))]
    else:
        raise ValueError(f"unknown edit {edit!r}")
    for para in paras:
        check_clean(para)
    return tuple(paras)


def frame_paragraphs(paragraphs: tuple[str, ...], frame: int) -> tuple[str, ...]:
    """Paragraphs with a standard opening sentence before them and a closing one after."""
    opening, closing = lx.BOILERPLATE[frame]
    paras = list(paragraphs)
    paras[0] = f"{opening} {paras[0]}"
    paras[-1] = f"{paras[-1]} {closing}"
    return tuple(paras)


# --- template grammar -----------------------------------------------------------------------

_SLOT = re.compile(r"\{(\w+)\}")


def _seed_clauses() -> tuple[str, ...]:
    """Clauses of the real article, reusable as noun phrases inside templates."""
    out: list[str] = []
    for para in SEED_PARAGRAPHS:
        for piece in re.split(r", |: |\. ", para):
            piece = piece.strip(" .,:")
            words = piece.split(" ")
            if 2 <= len(words) <= 10 and "“" not in piece and "”" not in piece:
                out.append(piece)
    return tuple(dict.fromkeys(out))


SEED_CLAUSES = _seed_clauses()


class _Filler:
    """Fills template slots from one RNG; `topic` is the post's primary category slug."""

    __slots__ = ("rng", "topic")

    def __init__(self, rng: random.Random, topic: str) -> None:
        self.rng = rng
        self.topic = topic

    def fill(self, template: str) -> str:
        text = template
        for _ in range(6):
            if "{" not in text:
                break
            text = _SLOT.sub(self._slot, text)
        return " ".join(text.split())

    def _slot(self, match: re.Match[str]) -> str:
        return _SLOTS[match.group(1)](self)


def _person(f: _Filler) -> str:
    return f"{f.rng.choice(lx.FIRST_NAMES)} {f.rng.choice(lx.LAST_NAMES)}"


def _governor(f: _Filler) -> str:
    province = f.rng.choice(lx.PROVINCES)
    return ("ເຈົ້າຄອງ" if province.startswith("ນະຄອນ") else "ເຈົ້າ") + province


def _role(f: _Filler) -> str:
    r = f.rng.randrange(8)
    if r == 0:
        return "ລັດຖະມົນຕີ{ministry}"
    if r == 1:
        return "ຮອງລັດຖະມົນຕີ{ministry}"
    if r == 2:
        return _governor(f)
    if r == 3:
        return "ຮອງ" + _governor(f)
    if r == 4:
        return "ເຈົ້າເມືອງ{district}"
    if r == 5:
        return "ປະທານ{org}"
    if r == 6:
        return "ຮອງປະທານ{org}"
    return f"ຫົວໜ້າກົມ{f.rng.choice(lx.DEPARTMENTS)} {{ministry}}"


def _topic(f: _Filler) -> str:
    if f.rng.random() < 0.75:
        return f.rng.choice(lx.TOPICS[f.topic])
    return f.rng.choice(lx.TOPICS[f.rng.choice(REGULAR_CATEGORIES)])


def _money(f: _Filler) -> str:
    r = f.rng.randrange(3)
    if r == 0:
        return f"{f.rng.randint(2, 950)} ຕື້ກີບ"
    if r == 1:
        return f"{f.rng.randint(1, 300)} ລ້ານໂດລາສະຫະລັດ"
    return f"{f.rng.randint(10, 990)} ລ້ານກີບ"


def _year_range(f: _Filler) -> str:
    start = f.rng.randint(2011, 2024)
    dash = "–" if f.rng.random() < 0.6 else "-"
    return f"{start}{dash}{start + f.rng.choice((2, 3, 4, 5, 10))}"


def _achieve(f: _Filler) -> str:
    verb, unit = f.rng.choice(lx.ACHIEVEMENTS)
    return f"{verb}ໄດ້ {f.rng.randint(120, 98000)} {unit}"


def _choice(options: tuple[str, ...]) -> Callable[[_Filler], str]:
    return lambda f: f.rng.choice(options)


_SLOTS: dict[str, Callable[[_Filler], str]] = {
    "person": _person,
    "mr": lambda f: f"{f.rng.choice(lx.HONORIFICS)} {_person(f)}",
    "official": lambda f: "{mr} " + _role(f),
    "ministry": _choice(lx.MINISTRIES),
    "province": _choice(lx.PROVINCES),
    "district": _choice(lx.DISTRICTS),
    "district_full": lambda f: "ເມືອງ" + f.rng.choice(lx.DISTRICTS),
    "village": _choice(lx.VILLAGES),
    "place": lambda f: "ບ້ານ{village} ເມືອງ{district} {province}",
    "venue": _choice(lx.VENUES),
    "region": _choice(lx.REGIONS),
    "country": _choice(lx.COUNTRIES),
    "org": _choice(lx.ORGS),
    "foreign_org": _choice(lx.FOREIGN_ORGS),
    "foreign_role": _choice(lx.FOREIGN_ROLES),
    "topic": _topic,
    "topic2": lambda f: f.rng.choice(lx.TOPICS[f.rng.choice(REGULAR_CATEGORIES)]),
    "event": _choice(lx.EVENTS),
    "gift": _choice(lx.GIFTS),
    "recipient": _choice(lx.RECIPIENTS),
    "case": _choice(lx.CASES),
    "incident": _choice(lx.INCIDENTS),
    "indicator": _choice(lx.INDICATORS),
    "quote": _choice(lx.QUOTES),
    "agreement": _choice(lx.AGREEMENTS),
    "building": _choice(lx.BUILDINGS),
    "group": _choice(lx.GROUPS),
    "funder": _choice(lx.FUNDERS),
    "project": _choice(lx.PROJECTS),
    "commodity": _choice(lx.COMMODITIES),
    "slogan": lambda f: f"“{f.rng.choice(lx.SLOGANS)}”",
    "slogan_bare": _choice(lx.SLOGANS),
    "clause": lambda f: f.rng.choice(SEED_CLAUSES),
    "month": _choice(lx.MONTHS_LAO),
    "date": lambda f: (
        f"ວັນທີ {f.rng.randint(1, 28)} {f.rng.choice(lx.MONTHS_LAO)} {f.rng.randint(2013, 2024)}"
    ),
    "year": lambda f: str(f.rng.randint(2010, 2025)),
    "yr2": _year_range,
    "num": lambda f: str(f.rng.randint(2, 60)),
    "mcount": lambda f: str(f.rng.randint(3, 11)),
    "nth": lambda f: f"ຄັ້ງທີ {f.rng.randint(1, 45)}",
    "people": lambda f: str(f.rng.randint(25, 1500)),
    "bignum": lambda f: str(f.rng.randint(120, 98000)),
    "pct": lambda f: f"{f.rng.randint(2, 97)}%",
    "money": _money,
    "achieve": _achieve,
}


def generate_paragraphs(seed: int, key: int, topic: str) -> tuple[str, ...]:
    """Generate the clean paragraphs of one post: 2-6 paragraphs of 1-4 sentences.

    Why per-post seeding: any post's text can be produced alone, in any order, identically.
    """
    rng = random.Random(f"lsr-text:{seed}:{key}")
    filler = _Filler(rng, topic)
    shape = [rng.randint(1, 4) for _ in range(rng.randint(2, 6))]
    total = sum(shape)
    templates = rng.sample(lx.BODY_TEMPLATES, total - 1)
    sentences = [filler.fill(rng.choice(lx.LEAD_TEMPLATES))]
    sentences += [filler.fill(t) for t in templates]
    if total > 1 and rng.random() < 0.35:
        stock = rng.choice(lx.STOCK_SENTENCES)
        if rng.random() < 0.6:
            stock = filler.fill(rng.choice(lx.STOCK_LEADS)) + " " + stock
        sentences[rng.randrange(1, total)] = stock
    paragraphs: list[str] = []
    pos = 0
    for count in shape:
        para = " ".join(sentences[pos : pos + count])
        pos += count
        check_clean(para)
        paragraphs.append(para)
    return tuple(paragraphs)


def generate_title(rng: random.Random, topic: str, *, amp: bool = False) -> str:
    """One Lao headline; `amp` forces a template containing a literal '&'."""
    filler = _Filler(rng, topic)
    if amp or rng.random() < 0.05:
        template = rng.choice(lx.AMP_TITLE_TEMPLATES)
    else:
        template = rng.choice(lx.TITLE_TEMPLATES)
    title = filler.fill(template)
    check_clean(title)
    return title


def english_date(dt: datetime) -> str:
    """The theme's visible date: ordinal day, month abbreviation glued to the year."""
    day = dt.day
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix} {dt.strftime('%b')}{dt.year}"


# --- the site -------------------------------------------------------------------------------


class SampleSite:
    """The whole blog as data: built once from (posts, seed), rendered on demand elsewhere."""

    def __init__(self, posts: int = 120, seed: int = 1, epoch: int = 1) -> None:
        if posts < MIN_POSTS:
            raise ValueError(f"the sample site needs at least {MIN_POSTS} posts, got {posts}")
        if epoch not in EPOCHS:
            raise ValueError(f"epoch must be one of {', '.join(map(str, EPOCHS))}, got {epoch}")
        self.post_count = posts
        self.seed = seed
        self.epoch = epoch
        # What epoch 2 changed relative to epoch 1 (ids), for the ground truth.
        self.added_ids: list[int] = []
        self.edited_ids: list[int] = []
        self.removed_ids: list[int] = []
        self.posts: list[Post] = []
        self.by_id: dict[int, Post] = {}
        self.newest: list[Post] = []
        self.by_category: dict[str, list[Post]] = {}
        self.by_tag: dict[str, list[Post]] = {}
        self.by_author: dict[str, list[Post]] = {}
        self.by_month: dict[tuple[int, int], list[Post]] = {}
        self.months: list[tuple[int, int]] = []  # newest first
        self.dead_id = 0
        self.dead_title = ""
        self.dateless_id = 0
        self.repost_id = 0
        self.original_id = 0
        self.seed_post_id = 0
        self.near_duplicates: list[tuple[int, int, str]] = []  # (repost id, original id, edit)
        self.boilerplate: list[tuple[int, tuple[int, ...]]] = []  # (frame, ids of its posts)
        self.transient: dict[str, int] = {TRANSIENT_PATH: 1}
        self._text = lru_cache(maxsize=512)(self._make_paragraphs)
        self._build()
        if epoch >= 2:
            self._advance_to_epoch_2()

    # -- public helpers --

    def paragraphs(self, post: Post) -> tuple[str, ...]:
        """Clean paragraphs of a post (a repost returns its original's, edited if near)."""
        paragraphs = self._text(post.text_key, post.topic)
        if post.edit:
            rng = random.Random(f"lsr-edit:{self.seed}:{post.id}")
            paragraphs = edit_paragraphs(paragraphs, post.edit, rng)
        if post.frame is not None:
            paragraphs = frame_paragraphs(paragraphs, post.frame)
        if post.revision:
            paragraphs = (*paragraphs[:-1], EPOCH_2_CORRECTION, paragraphs[-1])
        return paragraphs

    def text(self, post: Post) -> str:
        """Clean text as the ground truth states it: paragraphs joined by a blank line."""
        return "\n\n".join(self.paragraphs(post))

    def get(self, post_id: int) -> Post | None:
        """The post with this id, or None (the dead id included)."""
        return self.by_id.get(post_id)

    # -- construction --

    def _make_paragraphs(self, key: int, topic: str) -> tuple[str, ...]:
        if key == self.seed_post_id:
            for para in SEED_PARAGRAPHS:
                check_clean(para)
            return SEED_PARAGRAPHS
        return generate_paragraphs(self.seed, key, topic)

    def _build(self) -> None:
        n = self.post_count
        rng = random.Random(f"lsr-site:{self.seed}:{n}")
        published, text_style = self._timeline(rng, n)
        seed_dt = datetime.fromisoformat(SEED_DATE)
        seed_idx = published.index(seed_dt)

        ids, dead_idx = self._ids(rng, n)
        gap = ids[dead_idx] - ids[dead_idx - 1]
        self.dead_id = ids[dead_idx - 1] + rng.randint(1, gap - 1)

        taken = {seed_idx}

        def pick(lo: int, hi: int) -> int:
            choices = [i for i in range(lo, hi) if i not in taken]
            idx = rng.choice(choices)
            taken.add(idx)
            return idx

        repost_idx = pick(n - 15, n - 3)
        original_idx = pick(n // 5, n // 2)
        dateless_idx = pick(n // 3, n - 16)
        amp_idx = pick(n // 2, n - 1)
        near_rng = random.Random(f"lsr-near:{self.seed}:{n}")
        near = self._plant_near_duplicates(near_rng, ids, taken)  # copy index -> (original, edit)
        frames = self._plant_boilerplate(near_rng, n, taken)  # post index -> frame

        authors = rng.choices([a.login for a in AUTHORS], weights=_AUTHOR_WEIGHTS, k=n)
        cats = [self._pick_categories(rng) for _ in range(n)]
        tags = [self._pick_tags(rng) for _ in range(n)]
        specials = {seed_idx, repost_idx, original_idx, dateless_idx, *near}
        ordinary = [i for i in range(n) if i not in specials]
        for login in (a.login for a in AUTHORS):  # every author has posts to archive
            if login not in authors:
                authors[rng.choice(ordinary)] = login
        members = [i for i in ordinary if MEMBERS in cats[i]]
        for i in rng.sample([i for i in ordinary if len(cats[i]) < 3], 3 - min(3, len(members))):
            cats[i] = _ordered((*cats[i], MEMBERS), CATEGORIES)
        authors[seed_idx] = SEED_AUTHOR
        cats[seed_idx] = ("news", "social")
        tags[seed_idx] = ("asean", "mekong", "anti-trafficking")
        for arr in (authors, cats, tags):
            arr[repost_idx] = arr[original_idx]
            for copy, (source, _) in near.items():
                arr[copy] = arr[source]

        modified: list[datetime | None] = [None] * n
        for i in range(n):
            if text_style[i] or i == dateless_idx or rng.random() >= 0.2:
                continue
            upper = min(published[i] + timedelta(days=400), END)
            span = int((upper - published[i]).total_seconds() // 60)
            if span >= 60:
                modified[i] = published[i] + timedelta(minutes=rng.randint(60, span))
        if not any(modified):
            i = next(i for i in ordinary if not text_style[i] and published[i] < END - timedelta(1))
            modified[i] = published[i] + timedelta(hours=5)

        dirty = set(rng.sample(range(n), math.ceil(n / 3)))

        titles: list[str] = [""] * n
        seen = {SEED_TITLE}
        titles[seed_idx] = SEED_TITLE
        title_rng = random.Random(f"lsr-titles:{self.seed}:{n}")
        for i in range(n):
            if i in (seed_idx, repost_idx) or i in near:
                continue
            titles[i] = self._unique_title(title_rng, _primary(cats[i]), seen, amp=i == amp_idx)
        titles[repost_idx] = titles[original_idx]
        for copy, (source, edit) in near.items():
            if edit == "headline":
                titles[copy] = self._unique_title(near_rng, _primary(cats[copy]), seen, amp=False)
            else:
                titles[copy] = titles[source]
        self.dead_title = self._unique_title(title_rng, "news", seen, amp=False)

        for i in range(n):
            style = "none" if i == dateless_idx else ("text" if text_style[i] else "time")
            key = ids[original_idx] if i == repost_idx else ids[i]
            source, edit = near.get(i, (None, None))
            if source is not None:
                key = ids[source]
            topic = _primary(cats[i])
            post = Post(
                id=ids[i],
                index=i,
                title=titles[i],
                author=authors[i],
                published=published[i],
                modified=modified[i],
                categories=cats[i],
                tags=tags[i],
                date_style=style,
                dirty=i in dirty,
                text_key=key,
                topic=topic,
                repost_of=ids[original_idx] if i == repost_idx else None,
                near_duplicate_of=None if source is None else ids[source],
                edit=edit,
                frame=frames.get(i),
            )
            self.posts.append(post)
        self.seed_post_id = ids[seed_idx]
        self.repost_id = ids[repost_idx]
        self.original_id = ids[original_idx]
        self.dateless_id = ids[dateless_idx]
        self.near_duplicates = [
            (ids[copy], ids[source], edit) for copy, (source, edit) in sorted(near.items())
        ]
        groups: dict[int, list[int]] = {}
        for i, frame in sorted(frames.items()):
            groups.setdefault(frame, []).append(ids[i])
        self.boilerplate = [(frame, tuple(members)) for frame, members in sorted(groups.items())]
        self._index()

    def _advance_to_epoch_2(self) -> None:
        """A later visit of the same blog: new posts, some edited, one deleted.

        Only ordinary posts change, so every trap of epoch 1 stays as it was.
        """
        rng = random.Random(f"lsr-epoch2:{self.seed}:{self.post_count}")
        special = {self.seed_post_id, self.repost_id, self.original_id, self.dateless_id}
        special |= {i for pair in self.near_duplicates for i in pair[:2]}
        special |= {i for _, members in self.boilerplate for i in members}
        ordinary = [p for p in self.posts if p.id not in special and p.date_style == "time"]
        edited = rng.sample(ordinary[: len(ordinary) - 5], EPOCH_2_EDITS + 1)
        removed, edited = edited[0], edited[1:]
        seen = {p.title for p in self.posts}
        edit_time = END + timedelta(days=20, hours=3)
        replaced = {}
        for k, post in enumerate(sorted(edited, key=lambda p: p.id)):
            title = self._unique_title(rng, post.topic, seen, amp=False)
            replaced[post.id] = replace(
                post, title=title, modified=edit_time + timedelta(minutes=7 * k), revision=1
            )
        last = self.posts[-1]
        next_id = max(max(self.by_id), self.dead_id) + rng.randint(3, 9)
        added = []
        for k in range(EPOCH_2_NEW_POSTS):
            cats = self._pick_categories(rng)
            topic = _primary(cats)
            added.append(
                Post(
                    id=next_id,
                    index=last.index + 1 + k,
                    title=self._unique_title(rng, topic, seen, amp=False),
                    author=rng.choice([a.login for a in AUTHORS]),
                    published=END + timedelta(days=1 + 2 * k, hours=9, minutes=15 * k),
                    modified=None,
                    categories=cats,
                    tags=self._pick_tags(rng),
                    date_style="time",
                    dirty=k % 2 == 0,
                    text_key=next_id,
                    topic=topic,
                )
            )
            next_id += rng.randint(1, 7)
        self.posts = [replaced.get(p.id, p) for p in self.posts if p.id != removed.id] + added
        self.added_ids = [p.id for p in added]
        self.edited_ids = sorted(replaced)
        self.removed_ids = [removed.id]
        self._index()

    def _plant_near_duplicates(
        self, rng: random.Random, ids: list[int], taken: set[int]
    ) -> dict[int, tuple[int, str]]:
        """Choose one original (early) and one later repost slot for each kind of edit.

        Why the paragraph counts: a credit line adds a paragraph and a dropped one removes one,
        while every post keeps 2-6 paragraphs.
        """
        n = len(ids)
        fits = {"credit": range(2, 6), "paragraph": range(3, 7)}
        planted: dict[int, tuple[int, str]] = {}
        for edit in NEAR_DUPLICATE_EDITS:
            allowed = fits.get(edit, range(2, 7))
            originals = [
                i
                for i in range(n // 2)
                if i not in taken and paragraph_count(self.seed, ids[i]) in allowed
            ]
            source = rng.choice(originals)
            taken.add(source)
            copy = rng.choice([i for i in range(n // 2, n - 1) if i not in taken])
            taken.add(copy)
            planted[copy] = (source, edit)
        return planted

    @staticmethod
    def _plant_boilerplate(rng: random.Random, n: int, taken: set[int]) -> dict[int, int]:
        """Give each standard opening/closing pair to two unrelated posts."""
        free = [i for i in range(n) if i not in taken]
        chosen = rng.sample(free, 2 * len(lx.BOILERPLATE))
        taken.update(chosen)
        return {i: k // 2 for k, i in enumerate(chosen)}

    @staticmethod
    def _timeline(rng: random.Random, n: int) -> tuple[list[datetime], list[bool]]:
        """Distinct publication minutes; ~1/8 moved to midnight (visible-date-only posts)."""
        total = int((END - START).total_seconds() // 60) + 1
        seed_minute = int((datetime.fromisoformat(SEED_DATE) - START).total_seconds() // 60)
        sample = rng.sample(range(total), n)
        if seed_minute not in sample:
            sample[0] = seed_minute
        taken = set(sample)
        midnights: set[int] = set()
        for j, minute in enumerate(sample):
            if minute == seed_minute or rng.random() >= 1 / 8:
                continue
            midnight = minute - minute % 1440
            if midnight not in taken:
                taken.discard(minute)
                taken.add(midnight)
                midnights.add(midnight)
                sample[j] = midnight
        if not midnights:
            minute = next(m for m in sample if m != seed_minute and m - m % 1440 not in taken)
            taken.discard(minute)
            midnights.add(minute - minute % 1440)
            taken.add(minute - minute % 1440)
        minutes = sorted(taken)
        return (
            [START + timedelta(minutes=m) for m in minutes],
            [m in midnights for m in minutes],
        )

    @staticmethod
    def _ids(rng: random.Random, n: int) -> tuple[list[int], int]:
        """Increasing WordPress-like ids with gaps 1-7; one gap is wide enough for the dead id."""
        dead_idx = rng.randint(n - 8, n - 2)
        ids = [rng.randint(95, 105)]
        for i in range(1, n):
            gap = rng.randint(1, 7)
            if i == dead_idx and gap < 2:
                gap = rng.randint(2, 7)
            ids.append(ids[-1] + gap)
        return ids, dead_idx

    @staticmethod
    def _pick_categories(rng: random.Random) -> tuple[str, ...]:
        k = rng.choices((1, 2, 3), weights=(50, 35, 15))[0]
        chosen = rng.sample(REGULAR_CATEGORIES, k)
        if k < 3 and rng.random() < 0.1:
            chosen.append(MEMBERS)
        return _ordered(chosen, CATEGORIES)

    @staticmethod
    def _pick_tags(rng: random.Random) -> tuple[str, ...]:
        k = rng.choices((0, 1, 2, 3), weights=(25, 35, 25, 15))[0]
        return _ordered(rng.sample([t.slug for t in TAGS], k), TAGS)

    @staticmethod
    def _unique_title(rng: random.Random, topic: str, seen: set[str], *, amp: bool) -> str:
        for _ in range(200):
            title = generate_title(rng, topic, amp=amp)
            if title not in seen:
                seen.add(title)
                return title
        n = len(seen)
        while f"{title} ({n})" in seen:
            n += 1
        seen.add(f"{title} ({n})")
        return f"{title} ({n})"

    def _index(self) -> None:
        self.by_id = {p.id: p for p in self.posts}
        self.newest = self.posts[::-1]
        self.by_category = {c.slug: [] for c in CATEGORIES}
        self.by_tag = {t.slug: [] for t in TAGS}
        self.by_author = {a.login: [] for a in AUTHORS}
        self.by_month = {}
        for post in self.newest:
            for slug in post.categories:
                self.by_category[slug].append(post)
            for slug in post.tags:
                self.by_tag[slug].append(post)
            self.by_author[post.author].append(post)
            month = (post.published.year, post.published.month)
            self.by_month.setdefault(month, []).append(post)
        self.months = list(self.by_month)  # insertion order is newest first
        assert self.dead_id not in self.by_id


def _ordered(slugs: tuple[str, ...] | list[str], terms: tuple[Term, ...]) -> tuple[str, ...]:
    """Term slugs in term-id order (the order the theme prints them in)."""
    wanted = set(slugs)
    return tuple(t.slug for t in terms if t.slug in wanted)


def _primary(categories: tuple[str, ...]) -> str:
    return next(c for c in categories if c != MEMBERS)
