"""The REST record reader on hand-written JSON: what WordPress sends, and what a hostile or
crippled site sends instead (wrong types, other sites' links, error objects in ``_embedded``,
lying paging headers)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
from scrapy.http import HtmlResponse, TextResponse

from crawler.discovery import rest

BASE = "http://news.test"

# A record as WordPress 6.1 renders /wp/v2/posts?_embed (trimmed to the fields read).
RECORD: dict[str, Any] = {
    "id": 7,
    "date": "2024-03-05T14:30:00",
    "date_gmt": "2024-03-05T07:30:00",
    "modified": "2024-03-06T09:00:00",
    "modified_gmt": "2024-03-06T02:00:00",
    "link": "http://news.test/2024/03/05/%e0%ba%82%e0%ba%ad%e0%ba%87/",
    "title": {"rendered": "ຂ່າວ &#8220;ໃໝ່&#8221; &amp; ດີ"},
    "content": {"rendered": "<p>ເນື້ອໃນ</p>\n", "protected": False},
    "author": 3,
    "categories": [5, 2],
    "tags": [9],
    "_embedded": {
        "author": [{"id": 3, "name": "ສົມຈັນ", "slug": "somchan"}],
        "wp:term": [
            [
                {"id": 2, "name": "ຂ່າວ", "taxonomy": "category"},
                {"id": 5, "name": "ກິລາ &amp; ສຸຂະພາບ", "taxonomy": "category"},
            ],
            [{"id": 9, "name": "ວຽງຈັນ", "taxonomy": "post_tag"}],
        ],
    },
}
# WP_REST_Server::embed_links puts the error of the internal request where the user would be.
USER_ERROR = {
    "code": "rest_user_cannot_view",
    "message": "Sorry, you are not allowed to list users.",
    "data": {"status": 401},
}


def record(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(RECORD)
    for key, value in changes.items():
        if value is ...:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def test_a_full_record_gives_every_field_from_the_embed() -> None:
    fields, sources, missing = rest.read_post(RECORD, BASE).complete(rest.Names())
    assert fields == {
        "url": RECORD["link"],
        "post_id": 7,
        "title": "ຂ່າວ “ໃໝ່” & ດີ",
        "published_at": datetime(2024, 3, 5, 7, 30, tzinfo=UTC),
        "modified_at": datetime(2024, 3, 6, 2, 0, tzinfo=UTC),
        "body_html": "<p>ເນື້ອໃນ</p>\n",
        "date_source": "rest",
        "authors": ["ສົມຈັນ"],
        "author": "ສົມຈັນ",
        "categories": ["ກິລາ & ສຸຂະພາບ", "ຂ່າວ"],  # the record's ID order
        "tags": ["ວຽງຈັນ"],
    }
    assert sources == {"author": "rest-embed", "categories": "rest-embed", "tags": "rest-embed"}
    assert missing == []


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"id": 7.5}, "id is not an integer: 7.5"),
        ({"id": "abc"}, "id is not an integer: 'abc'"),
        ({"id": "7"}, "id is not an integer: '7'"),
        ({"id": True}, "id is not an integer: True"),
        ({"id": 10**23}, "id out of range: 100000000000000000000000"),
        ({"id": 2**63}, "id out of range: 9223372036854775808"),
        ({"id": -7}, "id out of range: -7"),
        ({"id": 0}, "id out of range: 0"),
        ({"id": ...}, "id is not an integer: None"),
        ({"title": "ຂ່າວ"}, "title is not an object with a rendered string"),
        ({"title": {"rendered": ["x"]}}, "title is not an object with a rendered string"),
        ({"content": "<p>x</p>"}, "content is not an object with a rendered string"),
        ({"content": ...}, "content is not an object with a rendered string"),
        ({"link": ["http://news.test/1/"]}, "link is not a string"),
        ({"link": ...}, "link is not a string"),
        ({"link": "javascript:alert(1)"}, "link is not an http(s) URL: javascript:alert(1)"),
        ({"link": "file:///etc/passwd"}, "link is not an http(s) URL: file:///etc/passwd"),
        ({"link": "http://other.test/7/"}, "link is off-site: http://other.test/7/"),
        ({"link": "http://news.test:8080/7/"}, "link is off-site: http://news.test:8080/7/"),
        ({"link": "https://news.test/7/"}, "link is off-site: https://news.test/7/"),
        ({"link": "/7/"}, "link is not an http(s) URL: /7/"),
        ({"date_gmt": 20240305}, "date_gmt is not a string"),
        ({"author": "3"}, "author is not a user ID: '3'"),
        ({"categories": "5,2"}, "categories is not a list of at most 1000 IDs"),
        ({"tags": [9, 9.5]}, "tags holds a value that is not an ID: 9.5"),
        ({"tags": list(range(1, 1002))}, "tags is not a list of at most 1000 IDs"),
        (
            {"_embedded": {"author": [{"id": 3, "name": {"first": "x"}}]}},
            "author name is not a string: {'first': 'x'}",
        ),
        (
            {"_embedded": {"wp:term": [[{"id": 2, "name": 2, "taxonomy": "category"}]]}},
            "term name is not a string: 2",
        ),
    ],
)
def test_a_field_of_the_wrong_type_is_a_bad_record(changes: dict, reason: str) -> None:
    with pytest.raises(rest.BadRecord) as error:
        rest.read_post(record(**changes), BASE)
    assert str(error.value) == reason


def test_not_an_object_is_a_bad_record() -> None:
    with pytest.raises(rest.BadRecord, match=r"^record is not an object: list$"):
        rest.read_post([RECORD], BASE)


def test_the_sites_other_hosts_are_its_own() -> None:
    post = rest.read_post(record(link="http://www.news.test/7/"), BASE, ["www.news.test"])
    assert post.fields["url"] == "http://www.news.test/7/"


def test_protected_content_is_marked() -> None:
    protected = record(content={"rendered": "", "protected": True})
    assert rest.read_post(protected, BASE).protected is True
    assert rest.read_post(RECORD, BASE).protected is False


def test_users_blocked_author_is_resolved_through_the_users_endpoint() -> None:
    blocked = record(_embedded={**RECORD["_embedded"], "author": [USER_ERROR]})
    post = rest.read_post(blocked, BASE)
    names = rest.Names()
    fields, sources, missing = post.complete(names)
    assert (fields["author"], fields["authors"], sources["author"]) == (None, [], "unresolved")
    assert missing == ["author"]
    assert post.unknown_authors(names) == [3]
    names.learn_user(3, {"id": 3, "name": "ສົມຈັນ"})
    fields, sources, missing = post.complete(names)
    assert (fields["author"], fields["authors"], sources["author"]) == (
        "ສົມຈັນ",
        ["ສົມຈັນ"],
        "users-endpoint",
    )
    assert missing == [] and post.unknown_authors(names) == []


def test_a_blocked_users_endpoint_leaves_the_author_to_the_html_page() -> None:
    post = rest.read_post(record(_embedded={"author": [USER_ERROR]}), BASE)
    names = rest.Names()
    names.learn_user(3, USER_ERROR)  # the 401 body
    assert post.unknown_authors(names) == []  # asked once, not again
    _, sources, missing = post.complete(names)
    assert sources["author"] == "unresolved" and "author" in missing


def test_without_embed_terms_are_resolved_by_id_in_the_records_order() -> None:
    post = rest.read_post(record(_embedded=...), BASE)
    names = rest.Names()
    assert post.unknown_terms("category", names) == [5, 2]
    assert post.unknown_terms("post_tag", names) == [9]
    answer = [  # WordPress orders by name; an ID not asked for is ignored
        {"id": 2, "name": "ຂ່າວ"},
        {"id": 5, "name": "ກິລາ &amp; ສຸຂະພາບ"},
        {"id": 11, "name": "planted"},
    ]
    names.learn_terms("category", [5, 2], answer)
    names.learn_terms("post_tag", [9], [{"id": 9, "name": "ວຽງຈັນ"}])
    assert 11 not in names.terms["category"]
    fields, sources, missing = post.complete(names)
    assert fields["categories"] == ["ກິລາ & ສຸຂະພາບ", "ຂ່າວ"]
    assert fields["tags"] == ["ວຽງຈັນ"]
    assert sources == {
        "author": "unresolved",
        "categories": "terms-endpoint",
        "tags": "terms-endpoint",
    }
    assert missing == ["author"]


def test_a_terms_answer_of_the_wrong_shape_names_nothing() -> None:
    names = rest.Names()
    answer = [{"id": [5], "name": "x"}, {"id": 2, "name": {"x": 1}}, "y", {"id": True, "name": "z"}]
    names.learn_terms("category", [5, 2, 1], answer)
    assert names.terms["category"] == {5: None, 2: None, 1: None}


def test_characters_no_html_parser_accepts_are_dropped() -> None:
    post = rest.read_post(record(title={"rendered": "ຂ່າວ\x00 &amp; \x1fໃໝ່"}), BASE)
    assert post.fields["title"] == "ຂ່າວ & ໃໝ່"


def test_a_failed_terms_lookup_is_remembered_and_leaves_the_field_missing() -> None:
    post = rest.read_post(record(_embedded=...), BASE)
    names = rest.Names()
    names.learn_terms("category", [5, 2], {"code": "rest_forbidden"})
    assert post.unknown_terms("category", names) == []
    fields, sources, missing = post.complete(names)
    assert fields["categories"] == [] and sources["categories"] == "unresolved"
    assert missing == ["author", "categories", "tags"]


def test_a_post_without_tags_needs_no_lookup() -> None:
    post = rest.read_post(record(tags=[], _embedded=...), BASE)
    _, sources, _ = post.complete(rest.Names())
    assert post.unknown_terms("post_tag", rest.Names()) == []
    assert sources["tags"] == "rest-record"


def test_a_batch_asks_each_unknown_id_once() -> None:
    first = rest.read_post(record(_embedded=...), BASE)
    second = rest.read_post(record(id=8, categories=[2, 6], author=4, _embedded=...), BASE)
    batch = rest.RestBatch([first, second], rest.Fetched(BASE + "/wp-json/wp/v2/posts", 200), "r")
    names = rest.Names()
    assert batch.unknown_terms("category", names) == [5, 2, 6]
    assert batch.unknown_authors(names) == [3, 4]
    names.learn_user(3, {"name": "ສົມຈັນ"})
    assert batch.unknown_authors(names) == [4]


def listing(headers: dict[str, str]) -> TextResponse:
    return TextResponse(BASE + "/wp-json/wp/v2/posts", body=b"[]", headers=headers)


@pytest.mark.parametrize(
    ("headers", "pages"),
    [
        ({"X-WP-Total": "120", "X-WP-TotalPages": "2"}, 2),
        ({"X-WP-Total": "120", "X-WP-TotalPages": "1000000"}, 2),
        ({"X-WP-Total": "100", "X-WP-TotalPages": "7"}, 1),
        ({"X-WP-TotalPages": "1000000"}, 50),  # no total: the cap
        ({"X-WP-TotalPages": "9" * 5000}, 50),  # beyond int()'s digit limit
        ({"X-WP-Total": "9" * 40, "X-WP-TotalPages": "9" * 40}, 50),
        ({"X-WP-TotalPages": "-3"}, 1),
        ({"X-WP-TotalPages": "abc"}, 1),
        ({}, 1),
        ({"X-WP-Total": "0", "X-WP-TotalPages": "0"}, 1),
    ],
)
def test_page_count_is_bounded_by_the_total_and_the_cap(headers: dict, pages: int) -> None:
    assert rest.page_count(listing(headers), per_page=100, cap=50) == pages


@pytest.mark.parametrize(
    ("index", "timezone"),
    [
        ({"timezone_string": "Asia/Vientiane", "gmt_offset": 7}, "Asia/Vientiane"),
        ({"timezone_string": "America/Argentina/Buenos_Aires"}, "America/Argentina/Buenos_Aires"),
        ({"timezone_string": "", "gmt_offset": 7}, "+07:00"),
        ({"timezone_string": "", "gmt_offset": 5.5}, "+05:30"),
        ({"timezone_string": "", "gmt_offset": "-3"}, "-03:00"),  # get_option() gives strings
        ({"timezone_string": "", "gmt_offset": "5.75"}, "+05:45"),
        ({"timezone_string": "", "gmt_offset": 0}, "+00:00"),
        ({"timezone_string": "../../etc/passwd", "gmt_offset": 1}, "+01:00"),
        ({"gmt_offset": 100}, None),
        ({"gmt_offset": "x"}, None),
        ({"gmt_offset": True}, None),
        ({}, None),
        ([], None),
    ],
)
def test_site_timezone_from_the_index(index: Any, timezone: str | None) -> None:
    assert rest.site_timezone(index) == timezone


def test_record_offset_is_the_local_minus_the_gmt_time() -> None:
    assert rest.record_offset(RECORD) == "+07:00"
    assert (
        rest.record_offset({"date": "2024-03-05T01:00:00", "date_gmt": "2024-03-05T04:30:00"})
        == "-03:30"
    )
    assert rest.record_offset({"date": None, "date_gmt": "2024-03-05T04:30:00"}) is None
    assert rest.record_offset("x") is None


def home(link_header: str | None = None, link_tag: str | None = None) -> HtmlResponse:
    headers = {"Link": link_header} if link_header else {}
    tag = f'<link rel="https://api.w.org/" href="{link_tag}">' if link_tag else ""
    body = f"<html><head>{tag}</head><body></body></html>".encode()
    return HtmlResponse(BASE + "/", body=body, headers=headers)


@pytest.mark.parametrize(
    ("response", "root"),
    [
        (home('<http://news.test/wp-json/>; rel="https://api.w.org/"'), BASE + "/wp-json/"),
        (home(link_tag="/?rest_route=/"), BASE + "/?rest_route=/"),
        (home('<http://other.test:8080/wp-json/>; rel="https://api.w.org/"'), None),
        (home('<http://news.test:8080/wp-json/>; rel="https://api.w.org/"'), None),
        (home('<file:///dev/zero?rest_route=/>; rel="https://api.w.org/"'), None),
        (home(link_tag="ftp://news.test/wp-json/"), None),
        (
            home('<http://other.test/wp-json/>; rel="https://api.w.org/"', "/wp-json/"),
            BASE + "/wp-json/",
        ),
        (home(), None),
    ],
)
def test_api_root_accepts_only_the_sites_own_origin(response, root: str | None) -> None:
    assert rest.api_root(response, BASE) == root


def test_lookup_urls_in_both_root_forms() -> None:
    pretty, plain = BASE + "/wp-json/", BASE + "/?rest_route=/"
    assert rest.terms_url(pretty, "category", [5, 2]) == (
        BASE + "/wp-json/wp/v2/categories?include=5%2C2&per_page=100&_fields=id%2Cname"
    )
    assert rest.terms_url(plain, "post_tag", [9]) == (
        BASE + "/?rest_route=/wp/v2/tags&include=9&per_page=100&_fields=id%2Cname"
    )
    assert rest.user_url(pretty, 3) == BASE + "/wp-json/wp/v2/users/3?_fields=id%2Cname"
    assert rest.index_url(plain) == (
        BASE
        + "/?rest_route=/&_fields=name%2Curl%2Chome%2Cgmt_offset%2Ctimezone_string%2Cnamespaces"
    )


def test_listed_ids_skip_what_is_not_an_id() -> None:
    assert rest.listed_ids([{"id": 3}, {"id": 3.5}, "x", {"id": "4"}, {"id": 5}]) == [3, 5]
