"""A local Zotero Web API v3 server: real HTTP, the real protocol, in memory.

Follows api.zotero.org where paperfeed (through pyzotero) depends on it:
library versions and ``Last-Modified-Version``; ``If-Modified-Since-Version`` ->
304; ``since=``, ``format=versions|keys|json``, ``itemKey=``; pagination with
``limit``/``start``, ``Link`` and ``Total-Results``; ``/deleted``; ``/keys/current``;
the trash (an item with ``"deleted": 1`` is left out of ``/items`` and ``/items/top``
unless ``includeTrashed=1``, ``itemKey=`` lookups included; moving it to or from the
trash bumps its version; it reaches ``/deleted`` only when really deleted);
writes of at most 50 objects (413 beyond), per-object 412 for version 0 on an
existing key, 428 for a key-based write without a version, field validation
against Zotero's schema, ``Zotero-Write-Token`` and ``If-Unmodified-Since-Version``;
``Backoff`` and ``Retry-After`` through scriptable faults. It stores what it
receives, so tests can look at the library afterwards.

Strict where real Zotero is: 409 while the library is locked (:meth:`ZoteroState.lock_library`);
a "write applied, reply lost" fault (``Fault(lose_reply=True)``); read-only keys (403 on writes)
and keys that cannot reach a group (403), see :meth:`ZoteroState.add_key`; a non-numeric
``If-Unmodified-Since-Version`` is a 400; write tokens are kept per API key for 12 hours; a
hanging server (:meth:`ZoteroServer.hang`: accepts, never answers) and per-object refusals
(:meth:`ZoteroState.refuse_object`).

Use it from tests through :class:`ZoteroServer` (a context manager), or run it
as a process beside ``paperfeed serve``::

    python -m tests.support.zotero_server --port 0 --api-key KEY --user-id 1 [--items 100]

which prints ``ZOTERO_API_URL=http://127.0.0.1:PORT`` and serves until killed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

KEY_ALPHABET = "23456789ABCDEFGHIJKLMNPQRSTUVWXYZ"
_SCHEMA_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "zotero" / "zotero-schema.json"
_ITEM_ALWAYS = {"itemType", "creators", "tags", "collections", "relations", "key", "version", "dateAdded",
                "dateModified", "parentItem", "deleted", "inPublications"}
_NOTE_FIELDS = {"note"}
WRITE_TOKEN_SECONDS = 12 * 3600  # Zotero keeps a used write token this long (per API key)
_ATTACHMENT_FIELDS = {"linkMode", "contentType", "charset", "filename", "md5", "mtime", "path"}


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _load_schema() -> dict[str, set[str]]:
    schema = json.loads(_SCHEMA_PATH.read_text(encoding="utf-8"))
    fields = {}
    for item_type in schema["itemTypes"]:
        names = {f["field"] for f in item_type["fields"]}
        fields[item_type["itemType"]] = names
    return fields


@dataclass
class Fault:
    """A scripted misbehaviour for the next ``count`` matching requests.

    ``status`` 0 means: close the connection without answering. ``after`` lets that
    many matching requests through first (e.g. fail the second batch, not the first).
    """

    status: int
    method: str = "*"
    path: str = ""  # substring of the path ("/items", "/collections", "" = any)
    count: int = 1
    after: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    lose_reply: bool = False  # handle the request for real (a write is applied), then drop the answer

    def matches(self, method: str, path: str) -> bool:
        return (self.method in ("*", method)) and self.path in path


@dataclass
class Library:
    """One user or group library: objects with versions, and deletion records."""

    kind: str  # "users" | "groups"
    id: int
    name: str
    version: int = 0
    items: dict[str, dict] = field(default_factory=dict)  # key -> data (incl. key, version)
    collections: dict[str, dict] = field(default_factory=dict)
    deleted_items: dict[str, int] = field(default_factory=dict)  # key -> version at deletion
    deleted_collections: dict[str, int] = field(default_factory=dict)

    @property
    def prefix(self) -> str:
        return f"/{self.kind}/{self.id}"

    # direct manipulation, for tests (as if another Zotero client had synced) --------
    def add_item(self, data: dict) -> str:
        self.version += 1
        key = data.get("key") or _new_key()
        stamp = _now()
        self.items[key] = {**data, "key": key, "version": self.version,
                           "dateAdded": data.get("dateAdded", stamp), "dateModified": stamp}
        self.deleted_items.pop(key, None)
        return key

    def add_items(self, datas: list[dict]) -> list[str]:
        """Many items in one library version (like one write request)."""
        self.version += 1
        keys, stamp = [], _now()
        for data in datas:
            key = data.get("key") or _new_key()
            self.items[key] = {**data, "key": key, "version": self.version,
                               "dateAdded": data.get("dateAdded", stamp), "dateModified": stamp}
            keys.append(key)
        return keys

    def update_item(self, key: str, **changes) -> None:
        self.version += 1
        self.items[key].update(changes, version=self.version, dateModified=_now())

    def trash_item(self, key: str) -> None:
        """Move to the trash, as Zotero does: ``deleted: 1`` and a new version (nothing in /deleted)."""
        self.update_item(key, deleted=1)

    def restore_item(self, key: str) -> None:
        """Restore from the trash: the flag goes away and the version moves on."""
        self.version += 1
        self.items[key].pop("deleted", None)
        self.items[key].update(version=self.version, dateModified=_now())

    def delete_item(self, key: str) -> None:
        self.version += 1
        del self.items[key]
        self.deleted_items[key] = self.version

    def add_collection(self, name: str, parent: str | None = None, key: str | None = None) -> str:
        self.version += 1
        key = key or _new_key()
        self.collections[key] = {"key": key, "version": self.version, "name": name,
                                 "parentCollection": parent or False, "relations": {}}
        return key

    def delete_collection(self, key: str) -> None:
        self.version += 1
        del self.collections[key]
        self.deleted_collections[key] = self.version

    def top_items(self) -> list[dict]:
        return [i for i in self.items.values() if not i.get("parentItem")]

    def children(self, key: str) -> list[dict]:
        return [i for i in self.items.values() if i.get("parentItem") == key]


def _new_key() -> str:
    return "".join(random.choice(KEY_ALPHABET) for _ in range(8))


class ZoteroState:
    """Everything the server knows: libraries, API keys, faults, and a request log."""

    def __init__(self, *, api_key: str = "test-api-key", user_id: int = 1, username: str = "tester"):
        self.lock = threading.RLock()
        self.api_key = api_key
        self.user_id = user_id
        self.username = username
        self.libraries: dict[tuple[str, int], Library] = {("users", user_id): Library("users", user_id, username)}
        # API keys -> what they may do; the main key reads and writes everything
        self.keys: dict[str, dict] = {api_key: {"write": True, "groups": {"all"}}}
        # Zotero-Write-Token use, per API key, remembered for WRITE_TOKEN_SECONDS (12 h) as Zotero does
        self.write_tokens: dict[tuple[str, str], float] = {}
        self.clock = time.time  # tests may move time on (write-token expiry)
        # file storage: attachment key -> bytes; uploads authorized, by upload key; the storage quota
        self.files: dict[str, bytes] = {}
        self.uploads: dict[str, dict] = {}
        self.quota_bytes: int | None = None
        # per-object refusals inside a 200 answer: key -> [remaining count, code, message]
        self.object_faults: dict[str, list] = {}
        self.faults: list[Fault] = []
        # hang(): requests are accepted and read, then never answered until recover() (then dropped)
        self.hanging = False
        self.released = threading.Event()
        self.hung = 0  # requests that were left hanging
        self.requests: list[tuple[str, str, int]] = []  # (method, path?query, status)
        self.schema = _load_schema()

    def library(self, kind: str = "users", id: int | None = None) -> Library:
        kind = kind if kind.endswith("s") else kind + "s"
        key = (kind, self.user_id if id is None else id)
        with self.lock:
            if key not in self.libraries:
                self.libraries[key] = Library(kind, key[1], f"{kind[:-1]} {key[1]}")
            return self.libraries[key]

    def add_key(self, key: str, *, write: bool = True, groups: tuple = ("all",)) -> None:
        """Another API key: ``write=False`` is a read-only key; ``groups``: group ids it may reach."""
        with self.lock:
            self.keys[key] = {"write": write, "groups": {str(g) for g in groups}}

    def refuse_object(self, key: str, code: int = 500, message: str = "An error occurred", count: int = 1) -> None:
        """The next ``count`` writes of the object ``key`` fail (in the 200 answer's ``failed``)."""
        with self.lock:
            self.object_faults[key] = [count, code, message]

    def lock_library(self, count: int = 1) -> Fault:
        """The next ``count`` writes find the library locked (409), as during another client's write."""
        return self.add_fault(409, method="POST", count=count,
                              body="The library is currently locked. Please wait a moment and try again.")

    def hang(self) -> None:
        with self.lock:
            self.hanging = True
            self.released.clear()

    def recover(self) -> None:
        with self.lock:
            self.hanging = False
            self.released.set()

    def add_fault(self, status: int, **kwargs) -> Fault:
        fault = Fault(status=status, **kwargs)
        with self.lock:
            self.faults.append(fault)
        return fault

    def take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.count > 0 and fault.matches(method, path):
                    if fault.after > 0:
                        fault.after -= 1
                        continue
                    fault.count -= 1
                    return fault
        return None

    def count(self, method: str | None = None, path: str = "") -> int:
        with self.lock:
            return sum(1 for m, p, _ in self.requests if (method is None or m == method) and path in p)


class _Handler(BaseHTTPRequestHandler):
    server_version = "ZoteroTestServer/1.0"
    protocol_version = "HTTP/1.1"
    state: ZoteroState  # set on the subclass per server

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - quiet
        pass

    # plumbing ------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        parts = urlsplit(self.path)
        path, query = parts.path.rstrip("/") or "/", {k: v[-1] for k, v in parse_qs(parts.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        state = self.state
        if state.hanging:
            with state.lock:
                state.hung += 1
            state.released.wait(300)  # Zotero accepted the connection and never answers
            self._log(method, 0)
            self.close_connection = True
            self.connection.close()
            return
        fault = state.take_fault(method, path)
        if fault is not None:
            if fault.status == 0:
                self._log(method, 0)
                self.close_connection = True
                self.connection.close()
                return
            if not fault.lose_reply:
                self._send(fault.status, fault.body or f"{fault.status} scripted fault", fault.headers,
                           content_type="text/plain")
                return
            self._lose_reply = True
        try:
            self._route(method, path, query, body)
        except _HTTPError as exc:
            self._send(exc.status, exc.message, exc.headers, content_type="text/plain")

    def _log(self, method: str, status: int) -> None:
        with self.state.lock:
            self.state.requests.append((method, self.path, status))

    def _send(self, status: int, body, headers: dict | None = None, *, content_type: str = "application/json",
              version: int | None = None) -> None:
        if getattr(self, "_lose_reply", False):  # done, but the answer never arrives
            self._lose_reply = False
            self._log(self.command, -status)
            self.close_connection = True
            self.connection.close()
            return
        self._log(self.command, status)
        payload = b"" if status == 304 else (
            body.encode() if isinstance(body, str) else json.dumps(body, ensure_ascii=False).encode())
        self.send_response(status)
        if status != 304:
            self.send_header("Content-Type", content_type + ("; charset=utf-8" if "json" in content_type else ""))
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Zotero-API-Version", "3")
        self.send_header("Zotero-Schema-Version", "41")
        if version is not None:
            self.send_header("Last-Modified-Version", str(version))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if payload:
            self.wfile.write(payload)

    def _key(self) -> str | None:
        key = self.headers.get("Zotero-API-Key")
        bearer = self.headers.get("Authorization", "")
        if bearer.startswith("Bearer "):
            key = key or bearer[7:]
        return key

    def _authorised(self) -> bool:
        return self._key() in self.state.keys

    def _access(self) -> dict:
        return self.state.keys.get(self._key() or "", {"write": False, "groups": set()})

    # routing -------------------------------------------------------------------------
    def _route(self, method: str, path: str, query: dict, body: bytes) -> None:
        if path == "/keys/current" and method == "GET":
            if not self._authorised():
                raise _HTTPError(403, "Invalid key")
            s, access = self.state, self._access()
            return self._send(200, {"key": self._key(), "userID": s.user_id, "username": s.username,
                                    "displayName": s.username,
                                    "access": {"user": {"library": True, "files": True, "notes": True,
                                                        "write": access["write"]},
                                               "groups": {g: {"library": True, "write": access["write"]}
                                                          for g in sorted(access["groups"])}}})
        if path.startswith("/upload/") and method == "POST":
            return self._upload_target(path.rsplit("/", 1)[-1], body)
        match = re.match(r"^/(users|groups)/(\d+)(/.*)?$", path)
        if not match:
            raise _HTTPError(404, "Not found")
        if not self._authorised():
            raise _HTTPError(403, "Forbidden")
        if match.group(1) == "users" and int(match.group(2)) != self.state.user_id:
            raise _HTTPError(403, "Forbidden")
        groups = self._access()["groups"]
        if match.group(1) == "groups" and "all" not in groups and match.group(2) not in groups:
            raise _HTTPError(403, "Forbidden")  # a group the key cannot reach
        if method in ("POST", "DELETE", "PATCH", "PUT") and not self._access()["write"]:
            raise _HTTPError(403, "Write access denied")
        lib = self.state.library(match.group(1), int(match.group(2)))
        rest = match.group(3) or ""
        with self.state.lock:
            if rest in ("/items", "/items/top") and method == "GET":
                return self._list(lib, "items", query, top=rest.endswith("/top"))
            if rest == "/items" and method == "POST":
                return self._write(lib, "items", body)
            if rest == "/items" and method == "DELETE":
                return self._delete(lib, query)
            if rest == "/collections" and method == "GET":
                return self._list(lib, "collections", query)
            if rest == "/collections" and method == "POST":
                return self._write(lib, "collections", body)
            if rest == "/deleted" and method == "GET":
                return self._deleted(lib, query)
            file_route = re.match(r"^/items/([A-Z0-9]{8})/file$", rest)
            if file_route and method == "POST":
                return self._file(lib, file_route.group(1), body)
            single = re.match(r"^/(items|collections)/([A-Z0-9]{8})$", rest)
            if single and method == "DELETE":
                return self._delete_one(lib, single.group(2))
            if single and method == "GET":
                objects = lib.items if single.group(1) == "items" else lib.collections
                obj = objects.get(single.group(2))
                if obj is None:
                    raise _HTTPError(404, "Not found")
                return self._send(200, self._envelope(lib, single.group(1), obj), version=obj["version"])
        raise _HTTPError(405 if rest in ("/items", "/collections", "/deleted") else 404, "Not found")

    # reads ---------------------------------------------------------------------------
    def _check_not_modified(self, lib: Library) -> bool:
        since = self.headers.get("If-Modified-Since-Version")
        if since is not None and since.isdigit() and lib.version <= int(since):
            self._send(304, "", version=lib.version)
            return True
        return False

    def _list(self, lib: Library, kind: str, query: dict, *, top: bool = False) -> None:
        if self._check_not_modified(lib):
            return
        objects = lib.top_items() if top else list((lib.items if kind == "items" else lib.collections).values())
        if kind == "items" and query.get("includeTrashed") not in ("1", "true"):
            objects = [o for o in objects if not o.get("deleted")]
        since = int(query.get("since", 0) or 0)
        objects = [o for o in objects if o["version"] > since]
        if "itemKey" in query or "collectionKey" in query:
            wanted = (query.get("itemKey") or query.get("collectionKey") or "").split(",")
            if len(wanted) > 50:
                raise _HTTPError(400, "Cannot specify more than 50 keys")
            objects = [o for o in objects if o["key"] in wanted]
        objects.sort(key=lambda o: (o.get("dateModified", ""), o["key"]))
        fmt = query.get("format", "json")
        if fmt == "versions":
            return self._send(200, {o["key"]: o["version"] for o in objects}, {"Total-Results": str(len(objects))},
                              version=lib.version)
        if fmt == "keys":
            return self._send(200, "\n".join(o["key"] for o in objects) + "\n", {"Total-Results": str(len(objects))},
                              content_type="text/plain", version=lib.version)
        if fmt != "json":
            raise _HTTPError(400, f"Invalid 'format' value '{fmt}'")
        try:
            limit = int(query.get("limit", 25))
            start = int(query.get("start", 0))
        except ValueError:
            raise _HTTPError(400, "Invalid limit or start") from None
        limit = max(1, min(limit, 100))
        page = objects[start:start + limit]
        headers = {"Total-Results": str(len(objects)), "Link": self._links(lib, kind, query, start, limit, len(objects))}
        self._send(200, [self._envelope(lib, kind, o) for o in page], headers, version=lib.version)

    def _links(self, lib: Library, kind: str, query: dict, start: int, limit: int, total: int) -> str:
        base = f"http://{self.headers.get('Host')}{urlsplit(self.path).path}"
        links = []
        if start + limit < total:
            links.append(f'<{base}?{urlencode({**query, "start": start + limit, "limit": limit})}>; rel="next"')
            last = ((total - 1) // limit) * limit
            links.append(f'<{base}?{urlencode({**query, "start": last, "limit": limit})}>; rel="last"')
        links.append(f'<https://www.zotero.org/{lib.name}/{kind}>; rel="alternate"')
        return ", ".join(links)

    def _envelope(self, lib: Library, kind: str, data: dict) -> dict:
        host = self.headers.get("Host")
        lib_json = {"type": lib.kind[:-1], "id": lib.id, "name": lib.name,
                    "links": {"alternate": {"href": f"https://www.zotero.org/{lib.name}", "type": "text/html"}}}
        links = {"self": {"href": f"http://{host}{lib.prefix}/{kind}/{data['key']}", "type": "application/json"},
                 "alternate": {"href": f"https://www.zotero.org/{lib.name}/{kind}/{data['key']}",
                               "type": "text/html"}}
        if kind == "items":
            meta = {"numChildren": len(lib.children(data["key"]))} if not data.get("parentItem") else {}
            creators = data.get("creators") or []
            if creators:
                meta["creatorSummary"] = creators[0].get("lastName") or creators[0].get("name", "")
        else:
            meta = {"numCollections": sum(1 for c in lib.collections.values()
                                          if c.get("parentCollection") == data["key"]),
                    "numItems": sum(1 for i in lib.items.values() if data["key"] in i.get("collections", []))}
        return {"key": data["key"], "version": data["version"], "library": lib_json, "links": links,
                "meta": meta, "data": data}

    def _deleted(self, lib: Library, query: dict) -> None:
        if "since" not in query:
            raise _HTTPError(400, "'since' parameter must be provided")
        if self._check_not_modified(lib):
            return
        since = int(query["since"] or 0)
        self._send(200, {"collections": sorted(k for k, v in lib.deleted_collections.items() if v > since),
                         "items": sorted(k for k, v in lib.deleted_items.items() if v > since),
                         "searches": [], "tags": [], "settings": []}, version=lib.version)

    # writes --------------------------------------------------------------------------
    def _precheck_write(self, lib: Library) -> None:
        if self.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            raise _HTTPError(400, "Content-Type must be application/json")
        unmodified = self.headers.get("If-Unmodified-Since-Version")
        if unmodified is not None and not unmodified.strip().isdigit():
            raise _HTTPError(400, f"Invalid If-Unmodified-Since-Version value '{unmodified}'")
        token = self.headers.get("Zotero-Write-Token")
        if token is not None:
            used = self.state.write_tokens.get((self._key(), token))
            if used is not None and self.state.clock() - used < WRITE_TOKEN_SECONDS:
                raise _HTTPError(412, "Write token already used")
        if unmodified is not None and int(unmodified) < lib.version:
            raise _HTTPError(412, f"Library has been modified since specified version "
                                  f"(expected {unmodified}, found {lib.version})", {"Last-Modified-Version":
                                                                                   str(lib.version)})

    def _write(self, lib: Library, kind: str, body: bytes) -> None:
        self._precheck_write(lib)
        try:
            objects = json.loads(body or b"null")
        except ValueError:
            raise _HTTPError(400, "Invalid JSON") from None
        if not isinstance(objects, list):
            raise _HTTPError(400, "Uploaded data must be a JSON array")
        if len(objects) > 50:
            raise _HTTPError(413, "Only 50 objects can be written in a single request")
        new_version = lib.version + 1
        store = lib.items if kind == "items" else lib.collections
        result = {"successful": {}, "success": {}, "unchanged": {}, "failed": {}}
        changed = False
        for index, obj in enumerate(objects):
            slot = str(index)
            try:
                key, outcome = self._write_one(lib, kind, store, obj, new_version)
            except _ObjectError as exc:
                result["failed"][slot] = {"key": exc.key, "code": exc.code, "message": exc.message}
                continue
            if outcome == "unchanged":
                result["unchanged"][slot] = key
            else:
                changed = True
                result["success"][slot] = key
                result["successful"][slot] = self._envelope(lib, kind, store[key])
        if changed:
            lib.version = new_version
        token = self.headers.get("Zotero-Write-Token")
        if token:
            self.state.write_tokens[(self._key(), token)] = self.state.clock()
        self._send(200, result, version=lib.version)

    def _write_one(self, lib: Library, kind: str, store: dict, obj, new_version: int) -> tuple[str, str]:
        if not isinstance(obj, dict):
            raise _ObjectError("", 400, "Object must be a JSON object")
        key = obj.get("key")
        refusal = self.state.object_faults.get(key or "")
        if refusal and refusal[0] > 0:
            refusal[0] -= 1
            raise _ObjectError(key, refusal[1], refusal[2])
        if key is not None and not re.fullmatch(r"[23456789ABCDEFGHIJKLMNPQRSTUVWXYZ]{8}", str(key)):
            raise _ObjectError(str(key), 400, f"'{key}' is not a valid {kind[:-1]} key")
        existing = store.get(key) if key else None
        if key and "version" not in obj and self.headers.get("If-Unmodified-Since-Version") is None:
            raise _ObjectError(key, 428, "Either If-Unmodified-Since-Version or object version property"
                                         " must be provided for key-based writes")
        if "version" in obj:
            if obj["version"] == 0 and existing is not None:
                raise _ObjectError(key, 412, f"{kind[:-1].capitalize()} {key} already exists")
            if obj["version"] and existing is None:
                raise _ObjectError(key, 404, f"{kind[:-1].capitalize()} {key} doesn't exist")
            if obj["version"] and existing["version"] != obj["version"]:
                raise _ObjectError(key, 412, f"{kind[:-1].capitalize()} has been modified since specified version"
                                             f" (expected {obj['version']}, found {existing['version']})")
        data = {k: v for k, v in obj.items() if k != "version"}
        if kind == "items":
            self._validate_item(lib, data, key or "")
        else:
            if not isinstance(data.get("name"), str) or not data["name"].strip():
                raise _ObjectError(key or "", 400, "Collection name cannot be empty")
            parent = data.get("parentCollection", False)
            if parent and parent not in store:
                raise _ObjectError(key or "", 409, f"Parent collection {parent} doesn't exist")
            data.setdefault("parentCollection", False)
            data.setdefault("relations", {})
        key = key or _new_key()
        if existing is not None:
            data = {**existing, **data}
        if kind == "items" and "deleted" in data:
            if data["deleted"]:
                data["deleted"] = 1
            else:
                data.pop("deleted")  # restored from the trash: Zotero leaves the property out
        if existing is not None and {k: v for k, v in data.items() if k not in ("version", "dateModified")} == \
                {k: v for k, v in existing.items() if k not in ("version", "dateModified")}:
            return key, "unchanged"
        stamp = _now()
        data.update(key=key, version=new_version)
        if kind == "items":
            data.setdefault("dateAdded", existing["dateAdded"] if existing else stamp)
            data["dateModified"] = stamp
            data.setdefault("tags", [])
            data.setdefault("relations", {})
            if not data.get("parentItem"):
                data.setdefault("collections", [])
        store[key] = data
        lib.deleted_items.pop(key, None) if kind == "items" else lib.deleted_collections.pop(key, None)
        return key, "saved"

    def _validate_item(self, lib: Library, data: dict, key: str) -> None:
        item_type = data.get("itemType")
        allowed = self.state.schema.get(item_type or "")
        if allowed is None:
            raise _ObjectError(key, 400, f"'itemType' '{item_type}' is not valid")
        extra = _NOTE_FIELDS if item_type == "note" else _ATTACHMENT_FIELDS | _NOTE_FIELDS \
            if item_type == "attachment" else set()
        for name in data:
            if name not in allowed and name not in _ITEM_ALWAYS and name not in extra:
                raise _ObjectError(key, 400, f"'{name}' is not a valid field for type '{item_type}'")
        for name, value in data.items():
            if name in allowed and not isinstance(value, str):
                raise _ObjectError(key, 400, f"'{name}' value must be a string")
        for tag in data.get("tags", []):
            if not isinstance(tag, dict) or not isinstance(tag.get("tag"), str) or not tag["tag"].strip():
                raise _ObjectError(key, 400, "Tag must be an object with a non-empty 'tag'")
            if len(tag["tag"]) > 255:
                raise _ObjectError(key, 413, f"Tag '{tag['tag'][:50]}…' too long")
        for coll in data.get("collections", []):
            if coll not in lib.collections:
                raise _ObjectError(key, 409, f"Collection {coll} doesn't exist")
        parent = data.get("parentItem")
        if parent:
            if item_type not in ("note", "attachment"):
                raise _ObjectError(key, 400, "Only notes and attachments can be child items")
            if parent not in lib.items:
                raise _ObjectError(key, 409, f"Parent item {parent} doesn't exist")
        if item_type == "attachment" and data.get("linkMode") not in (
                "imported_file", "imported_url", "linked_file", "linked_url", "embedded_image"):
            raise _ObjectError(key, 400, "'linkMode' must be provided for attachments")
        for creator in data.get("creators", []):
            if not (creator.get("name") or creator.get("lastName") or creator.get("firstName")):
                raise _ObjectError(key, 400, "Creator must have a name")

    # file upload (https://www.zotero.org/support/dev/web_api/v3/file_upload) -----------
    def _file(self, lib: Library, key: str, body: bytes) -> None:
        item = lib.items.get(key)
        if item is None or item.get("itemType") != "attachment":
            raise _HTTPError(404, "Not found")
        if item.get("linkMode") not in ("imported_file", "imported_url"):
            raise _HTTPError(400, "Cannot upload a file for a linked attachment")
        form = {k: v[-1] for k, v in parse_qs(body.decode()).items()}
        if "upload" in form:  # registration of a finished upload
            upload = self.state.uploads.pop(form["upload"], None)
            if upload is None or upload["key"] != key or "data" not in upload:
                raise _HTTPError(400, "Invalid upload key")
            self.state.files[key] = upload["data"]
            lib.version += 1
            item.update(md5=upload["md5"], filename=upload["filename"], mtime=int(upload["mtime"]),
                        version=lib.version, dateModified=_now())
            return self._send(204, "", version=lib.version)
        for name in ("md5", "filename", "filesize", "mtime"):
            if not form.get(name):
                raise _HTTPError(400, f"'{name}' not provided")
        if self.headers.get("If-None-Match") != "*" and self.headers.get("If-Match") is None:
            raise _HTTPError(428, "If-Match/If-None-Match header not provided")
        if item.get("md5") == form["md5"] or any(
                hashlib.md5(data).hexdigest() == form["md5"] for data in self.state.files.values()):
            if item.get("md5") is None:  # the same file is stored already: no upload needed
                lib.version += 1
                item.update(md5=form["md5"], filename=form["filename"], mtime=int(form["mtime"]),
                            version=lib.version)
            return self._send(200, {"exists": 1}, version=lib.version)
        if self.headers.get("If-None-Match") == "*" and item.get("md5"):
            raise _HTTPError(412, "If-None-Match: * set but file exists")
        used = sum(len(d) for d in self.state.files.values())
        if self.state.quota_bytes is not None and used + int(form["filesize"]) > self.state.quota_bytes:
            raise _HTTPError(413, "File would exceed quota", {"Zotero-Storage-Quota": str(self.state.quota_bytes)})
        upload_key = "".join(random.choice("0123456789abcdef") for _ in range(32))
        self.state.uploads[upload_key] = {"key": key, **form}
        boundary = "---------------------------" + upload_key[:16]
        prefix = f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n"
        suffix = f"\r\n--{boundary}--"
        self._send(200, {"url": f"http://{self.headers.get('Host')}/upload/{upload_key}",
                         "contentType": f"multipart/form-data; boundary={boundary}",
                         "prefix": prefix, "suffix": suffix, "uploadKey": upload_key})

    def _upload_target(self, upload_key: str, body: bytes) -> None:
        """The storage server's end of an upload (S3 for the real Zotero): needs no API key."""
        with self.state.lock:
            upload = self.state.uploads.get(upload_key)
            if upload is None:
                raise _HTTPError(400, "Unknown upload")
            boundary = self.headers.get("Content-Type", "").partition("boundary=")[2]
            prefix = f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n".encode()
            suffix = f"\r\n--{boundary}--".encode()
            if not (body.startswith(prefix) and body.endswith(suffix)):
                raise _HTTPError(400, "Malformed upload")
            data = body[len(prefix):len(body) - len(suffix)]
            if hashlib.md5(data).hexdigest() != upload["md5"] or len(data) != int(upload["filesize"]):
                raise _HTTPError(400, "The file does not match the md5/filesize authorized")
            upload["data"] = data
        self._send(201, "", content_type="text/plain")

    def _delete_one(self, lib: Library, key: str) -> None:
        unmodified = self.headers.get("If-Unmodified-Since-Version")
        if unmodified is None:
            raise _HTTPError(428, "If-Unmodified-Since-Version not provided")
        if not unmodified.strip().isdigit():
            raise _HTTPError(400, f"Invalid If-Unmodified-Since-Version value '{unmodified}'")
        item = lib.items.get(key)
        if item is None:
            raise _HTTPError(404, "Not found")
        if int(unmodified) < item["version"]:
            raise _HTTPError(412, "Item has been modified since specified version")
        lib.delete_item(key)
        self.state.files.pop(key, None)
        self._send(204, "", version=lib.version)

    def _delete(self, lib: Library, query: dict) -> None:
        unmodified = self.headers.get("If-Unmodified-Since-Version")
        if unmodified is None:
            raise _HTTPError(428, "If-Unmodified-Since-Version not provided")
        if not unmodified.strip().isdigit():
            raise _HTTPError(400, f"Invalid If-Unmodified-Since-Version value '{unmodified}'")
        if int(unmodified) < lib.version:
            raise _HTTPError(412, "Library has been modified since specified version")
        keys = [k for k in query.get("itemKey", "").split(",") if k]
        if keys:
            lib.version += 1
            for k in keys:
                if lib.items.pop(k, None) is not None:
                    lib.deleted_items[k] = lib.version
        self._send(204, "", version=lib.version)


class _HTTPError(Exception):
    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


class _ObjectError(Exception):
    def __init__(self, key: str, code: int, message: str):
        super().__init__(message)
        self.key, self.code, self.message = key, code, message


class ZoteroServer:
    """Start on 127.0.0.1 and a free port; ``url`` is the API base for ``zotero.api_url``."""

    def __init__(self, *, api_key: str = "test-api-key", user_id: int = 1, port: int = 0):
        self.state = ZoteroState(api_key=api_key, user_id=user_id)
        handler = type("Handler", (_Handler,), {"state": self.state})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="zotero-test-server", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def library(self, kind: str = "users", id: int | None = None) -> Library:
        return self.state.library(kind, id)

    def add_fault(self, status: int, **kwargs) -> Fault:
        return self.state.add_fault(status, **kwargs)

    def hang(self) -> None:
        """Accept every request and never answer it (until :meth:`recover`)."""
        self.state.hang()

    def recover(self) -> None:
        self.state.recover()

    def start(self) -> "ZoteroServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.state.recover()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> "ZoteroServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def seed_library(lib: Library, count: int, *, batch: int = 50) -> None:
    """Fill a library with ``count`` realistic preprints (for benchmarks and the extension tests)."""
    for start in range(0, count, batch):
        lib.add_items([{
            "itemType": "preprint", "title": f"Seeded paper {n}", "creators": [
                {"creatorType": "author", "firstName": "Ada", "lastName": f"Author{n}"}],
            "abstractNote": f"Abstract of seeded paper {n}.", "repository": "arXiv",
            "archiveID": f"arXiv:2401.{n:05d}", "url": f"http://arxiv.org/abs/2401.{n:05d}",
            "tags": [{"tag": "seeded"}], "collections": [], "relations": {},
        } for n in range(start, min(count, start + batch))])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Local Zotero Web API v3 server for tests.")
    parser.add_argument("--port", type=int, default=0, help="port (0: any free port)")
    parser.add_argument("--api-key", default="test-api-key")
    parser.add_argument("--user-id", type=int, default=1)
    parser.add_argument("--items", type=int, default=0, help="seed the user library with N preprints")
    args = parser.parse_args(argv)
    server = ZoteroServer(api_key=args.api_key, user_id=args.user_id, port=args.port)
    if args.items:
        seed_library(server.library(), args.items)
    server.start()
    print(f"ZOTERO_API_URL={server.url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
