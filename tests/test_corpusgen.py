"""The benchmark corpus generator: its planted pairs are real, its unplanted posts are not short."""

from __future__ import annotations

from analysis import neardup
from benchmarks import corpusgen
from testing.samplesite.content import SampleSite


def _generated(posts: int, seed: int) -> tuple[SampleSite, dict[int, str], dict[str, list]]:
    site = SampleSite(posts=posts + 1, seed=seed)
    texts: dict[int, str] = {}
    truth: dict[str, list] = {"near_duplicates": [], "exact": [], "boilerplate": []}
    for record, planted in corpusgen._records(posts, seed):
        texts[record["post_id"]] = record["text"]
        for key, value in planted.items():
            truth[key].append(value)
    return site, texts, truth


def test_site_originals_keep_their_text_and_every_planted_pair_is_similar() -> None:
    """Seed 2, 2,000 posts: the generator once made an original of the site's own a repost.

    Its planted copy (post 3070's) was then a copy of nothing (similarity about 0.02), a miss
    no detector could avoid.
    """
    site, texts, truth = _generated(2000, seed=2)
    originals = {original for _, original, _ in site.near_duplicates} | {site.original_id}
    assert 3070 in originals
    for post_id in originals:
        assert texts[post_id] == "\n\n".join(corpusgen.body(site, site.get(post_id)))
    assert len(truth["near_duplicates"]) >= 20
    for copy, original, edit in truth["near_duplicates"]:
        similarity = neardup.jaccard(
            neardup.shingle_hashes(texts[copy]), neardup.shingle_hashes(texts[original])
        )
        assert similarity >= neardup.DEFAULT_THRESHOLD + 0.05, (copy, original, edit, similarity)
    for copy, original in truth["exact"]:
        assert texts[copy] == texts[original]


def test_short_bodies_are_extended_alike_for_copies_and_originals() -> None:
    """Every post but an edited copy reaches MIN_BODY; a copy's extension is its original's."""
    site, texts, truth = _generated(2000, seed=1)
    copies = {copy for copy, *_ in truth["near_duplicates"]}
    short = [post_id for post_id, text in texts.items() if len(text) < corpusgen.MIN_BODY]
    assert not set(short) - copies
    plain = [p for p in site.posts if p.text_key == p.id and p.frame is None and p.edit is None]
    extended = [p for p in plain if corpusgen.body(site, p) != site.paragraphs(p)]
    assert extended, "seed 1 has short sample-site bodies"
    for post in extended:
        assert len("\n\n".join(site.paragraphs(post))) < corpusgen.MIN_BODY
        assert corpusgen.body(site, post)[: len(site.paragraphs(post))] == site.paragraphs(post)
    for copy, original, _ in site.near_duplicates:
        extension = corpusgen.body(site, site.get(original))[
            len(site.paragraphs(site.get(original))) :
        ]
        copy_body = corpusgen.body(site, site.get(copy))
        assert copy_body[len(copy_body) - len(extension) :] == extension
