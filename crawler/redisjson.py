"""JSON for the distributed request queue (``SCHEDULER_SERIALIZER``), instead of pickle.

Why: scrapy-redis pickles queued requests by default, and unpickling runs whatever code the
bytes name, so anyone able to write to the Redis would run code in every worker. JSON here
can only make the few types the crawler itself puts into a request, through a registry:
bytes (bodies, headers), datetimes and dates, tuples, dicts with non-string keys (headers),
and the crawler's own items (a multi-page post travels in ``meta``). The request class is
checked against an allow-list before Scrapy loads it. Anything else fails loudly at push
time, never silently.

Redis must still be private (see README, "Security model"): whoever writes to it chooses
the requests the workers make, though the same-site policy keeps them on the site.
"""

from __future__ import annotations

import base64
import json
from datetime import date, datetime
from typing import Any

import scrapy

from crawler import items

# Items that may travel in a request's meta, by name.
ITEM_TYPES: dict[str, type[scrapy.Item]] = {
    cls.__name__: cls for cls in (items.Post, items.Reject, items.Seen)
}
REQUEST_CLASSES = frozenset(
    (
        "scrapy.http.request.Request",
        "scrapy.http.request.form.FormRequest",
        "scrapy.http.request.json_request.JsonRequest",
    )
)
TAGS = ("__bytes", "__datetime", "__date", "__tuple", "__map", "__item")


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, bytes):
        return {"__bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, datetime):
        return {"__datetime": value.isoformat()}
    if isinstance(value, date):
        return {"__date": value.isoformat()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, tuple):
        return {"__tuple": [_encode(v) for v in value]}
    if isinstance(value, scrapy.Item):
        name = type(value).__name__
        if ITEM_TYPES.get(name) is not type(value):
            raise TypeError(f"item type {name} cannot be queued (crawler/redisjson.py)")
        return {"__item": name, "fields": _encode(dict(value))}
    if isinstance(value, dict):
        if all(isinstance(k, str) and k not in TAGS for k in value):
            return {k: _encode(v) for k, v in value.items()}
        return {"__map": [[_encode(k), _encode(v)] for k, v in value.items()]}
    raise TypeError(f"{type(value).__name__} cannot be queued in Redis (crawler/redisjson.py)")


def _decode(value: dict[str, Any]) -> Any:
    """The object hook: a tagged dict back to its type; any other dict as it is."""
    if len(value) == 1:
        ((tag, payload),) = value.items()
        if tag == "__bytes":
            return base64.b64decode(payload)
        if tag == "__datetime":
            return datetime.fromisoformat(payload)
        if tag == "__date":
            return date.fromisoformat(payload)
        if tag == "__tuple":
            return tuple(payload)
        if tag == "__map":
            return {_hashable(k): v for k, v in payload}
    if set(value) == {"__item", "fields"}:
        cls = ITEM_TYPES.get(value["__item"])
        if cls is None:
            raise ValueError(f"unknown item type {value['__item']!r} in a queued request")
        return cls(**value["fields"])
    return value


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


def dumps(request: dict[str, Any]) -> bytes:
    """A request dict (``Request.to_dict``) as JSON bytes."""
    return json.dumps(_encode(request), ensure_ascii=False, separators=(",", ":")).encode()


def loads(data: bytes) -> dict[str, Any]:
    """JSON bytes back to a request dict; a request class off the allow-list is refused."""
    request = json.loads(data, object_hook=_decode)
    if not isinstance(request, dict):
        raise ValueError("a queued request is not a JSON object")
    cls = request.get("_class", "scrapy.http.request.Request")
    if cls not in REQUEST_CLASSES:
        raise ValueError(f"request class {cls!r} is not allowed in the queue")
    return request
