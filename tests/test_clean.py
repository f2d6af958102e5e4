"""HTML to clean text: paragraphs kept, boilerplate and markup gone, Lao canonical."""

from crawler.items import Post
from pipelines.clean import CleanPipeline, html_to_text


def test_paragraphs_inline_markup_and_breaks() -> None:
    html = (
        "<div class='entry-content'>\n  <p>\n   ກອງປະຊຸມ <strong>ຄັ້ງທີ 11</strong> ໄດ້ໄຂ\n"
        "ຂຶ້ນ</p><p>&nbsp;</p><p><img src='a.jpg' alt='x'></p>"
        "<p>ທີ່ &#8220;ວຽງຈັນ&#8221; &amp; ຫຼວງພະບາງ<br>ແຖວໃໝ່</p>"
        "<!-- a comment --><h2>ຫົວຂໍ້</h2><ul><li>ໜຶ່ງ</li><li>ສອງ</li></ul></div>"
    )
    assert html_to_text(html) == (
        "ກອງປະຊຸມ ຄັ້ງທີ 11 ໄດ້ໄຂ ຂຶ້ນ\n\nທີ່ “ວຽງຈັນ” & ຫຼວງພະບາງ\nແຖວໃໝ່\n\nຫົວຂໍ້\n\nໜຶ່ງ\n\nສອງ"
    )


def test_scripts_and_styles_are_not_text() -> None:
    html = "<div><script>var x='<p>no</p>';</script><style>p{}</style><p>ແມ່ນ້ຳຂອງ</p></div>"
    assert html_to_text(html) == "ແມ່ນ້ຳຂອງ"


def test_empty_input() -> None:
    assert html_to_text(None) == ""
    assert html_to_text("   ") == ""
    assert html_to_text("<div><p> </p></div>") == ""


def test_pipeline_normalizes_every_text_field() -> None:
    item = Post(
        title=" ເຈ\u0ec9\u0ebbາໜ້າທີ່\u200b ",
        author="somchan",
        categories=["ຂ່າວ", "ຂ່າວ", "ວັດທະນະທ\u0ecdາ"],
        tags=[],
        body_html="<div><p>ນ\u0ecd\u0ec9າ\u00a0ຂອງ</p></div>",
        language="lo",
    )
    CleanPipeline().process_item(item)
    assert item["title"] == "ເຈົ້າໜ້າທີ່"
    assert item["categories"] == ["ຂ່າວ", "ວັດທະນະທຳ"]
    assert item["text"] == "ນ້ຳ ຂອງ"
    assert item["word_count"] == 2
    assert item["language"] == "lo"
