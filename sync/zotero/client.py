"""The one place paperfeed talks to Zotero: pyzotero underneath, our dataclasses out.

Works for user and group libraries (``zotero.library_type``). Writes are batched
(<= 50 objects per request); retries, ``Retry-After`` and ``Backoff`` are handled
by :class:`~sync.zotero.transport.RetryTransport` under pyzotero; the
``If-Modified-Since-Version`` check that pyzotero lacks is one request of our own
through the same client, with the same headers.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import httpx2
from pyzotero import errors as pz_errors
from pyzotero import zotero as pz_zotero

from ..errors import ConfigError, ZoteroAuthError, ZoteroError, ZoteroLibraryChangedError, ZoteroUnavailableError
from ..models import LibraryCollection
from ..settings import Config
from .transport import RetryPolicy, RetryTransport, ZoteroGiveUp

MAX_WRITE_BATCH = 50  # the API's limit per write request (51 gives 413)
MAX_KEYS_PER_READ = 50  # itemKey= / collectionKey= accept at most 50 keys


@dataclass(frozen=True)
class Versions:
    """``{key: version}`` changed since a version; ``not_modified`` when the API answered 304."""

    library_version: int
    versions: dict[str, int] = field(default_factory=dict)
    not_modified: bool = False


@dataclass(frozen=True)
class Deleted:
    items: tuple[str, ...] = ()
    collections: tuple[str, ...] = ()


@dataclass
class WriteResult:
    """Per-object outcome of a multi-object write, by the object's position in the input."""

    written: dict[int, str] = field(default_factory=dict)  # created or updated: index -> key
    unchanged: dict[int, str] = field(default_factory=dict)
    failed: dict[int, tuple[int, str]] = field(default_factory=dict)  # index -> (code, message)
    library_version: int | None = None  # Last-Modified-Version of the last answer


@dataclass(frozen=True)
class KeyInfo:
    user_id: int
    username: str
    can_read: bool
    can_write: bool


class ZoteroClient:
    """A configured Zotero library. ``requests`` counts HTTP requests made (with retries).

    ``library_version``: when set, writes are conditional (``If-Unmodified-Since-Version``): a
    library changed by anyone else since that version raises
    :class:`~sync.errors.ZoteroLibraryChangedError` instead of writing, and each successful
    write moves it to the version the write produced (so the caller knows its index is current).
    """

    def __init__(self, config: Config, *, sleep: Callable[[float], None] = time.sleep):
        library_id = str(config["zotero.library_id"]).strip()
        api_key = config["zotero.api_key"]
        if not library_id or not api_key:
            raise ConfigError("Zotero is not configured: set zotero.library_id and the API key"
                              " (PAPERFEED_ZOTERO_API_KEY); see docs/zotero.md")
        if not library_id.isdigit():
            raise ConfigError(f"zotero.library_id must be the numeric user or group id (got {library_id!r})")
        self.library_type = config["zotero.library_type"]
        self.library_id = library_id
        self.library = f"{self.library_type}s/{library_id}"
        self.transport = RetryTransport(
            RetryPolicy(max_retries=config["zotero.max_retries"], base_delay=config["zotero.retry_base_seconds"],
                        max_wait=config["zotero.max_wait_seconds"]), sleep=sleep)
        self._http = httpx2.Client(transport=self.transport, timeout=config["zotero.timeout_seconds"],
                                   follow_redirects=True, trust_env=False)
        self._zot = pz_zotero.Zotero(library_id, self.library_type, api_key, client=self._http)
        self._zot.endpoint = config["zotero.api_url"].rstrip("/")
        self.library_version: int | None = None
        self.replayed_writes = 0  # whole requests refused as already done (their write token was used)

    @property
    def requests(self) -> int:
        return self.transport.requests

    @property
    def uncertain(self) -> bool:
        """True once a write may have been applied without our hearing of it (a lost reply)."""
        return bool(self.transport.uncertain_writes or self.replayed_writes)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "ZoteroClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # error mapping ----------------------------------------------------------------------
    def _call(self, what: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            result = func(*args, **kwargs)
        except ZoteroQuotaError:
            raise
        except ZoteroGiveUp as exc:
            raise ZoteroUnavailableError(f"{what}: {exc}", details={"retry_after": exc.retry_after,
                                                                    "status": exc.status}) from exc
        except pz_errors.UserNotAuthorisedError as exc:
            raise ZoteroAuthError(f"{what}: Zotero refused the API key for {self.library} (it needs read and"
                                  " write access to this library; see docs/zotero.md)") from exc
        except pz_errors.ResourceNotFoundError as exc:
            raise ZoteroError(f"{what}: {self.library} not found at {self._zot.endpoint}") from exc
        except (pz_errors.PyZoteroError, httpx2.HTTPError, ValueError) as exc:
            raise ZoteroError(f"{what}: {type(exc).__name__}: {str(exc).strip()[:300]}") from exc
        finally:
            self._zot.backoff_until = 0.0  # the transport owns waiting
        return result

    # reads --------------------------------------------------------------------------------
    def key_info(self) -> KeyInfo:
        """What the API key may do (``GET /keys/current``): checked by ``paperfeed sync``."""
        def fetch() -> dict:
            response = self._http.get(f"{self._zot.endpoint}/keys/current", headers=self._zot.default_headers())
            if response.status_code in (401, 403):
                raise pz_errors.UserNotAuthorisedError(response.text)
            response.raise_for_status()
            return response.json()
        data = self._call("checking the API key", fetch)
        access = data.get("access", {})
        if self.library_type == "user":
            rights = access.get("user", {})
        else:
            groups = access.get("groups", {})
            rights = groups.get(self.library_id) or groups.get("all") or {}
        return KeyInfo(user_id=int(data.get("userID", 0)), username=data.get("username", ""),
                       can_read=bool(rights.get("library")), can_write=bool(rights.get("write")))

    def item_versions(self, since: int) -> Versions:
        """Top-level items changed since ``since``; 304 (one request, nothing else) when the library is unchanged.

        Items in the trash are included (``includeTrashed=1``, as Zotero's sync docs say): without
        it, moving an item to the trash changes nothing we can see, since a trashed item only shows
        up under ``/deleted`` once the trash is emptied.
        """
        def fetch() -> Versions:
            headers = {**self._zot.default_headers(), "If-Modified-Since-Version": str(since)}
            response = self._http.get(f"{self._zot.endpoint}/{self.library}/items/top",
                                      params={"since": since, "format": "versions", "includeTrashed": 1},
                                      headers=headers)
            version = int(response.headers.get("Last-Modified-Version", since) or since)
            if response.status_code == 304:
                return Versions(library_version=version, not_modified=True)
            if response.status_code in (401, 403):
                raise pz_errors.UserNotAuthorisedError(response.text)
            if response.status_code == 404:
                raise pz_errors.ResourceNotFoundError(response.text)
            response.raise_for_status()
            return Versions(library_version=version, versions={k: int(v) for k, v in response.json().items()})
        return self._call("listing changed items", fetch)

    def collection_versions(self, since: int) -> dict[str, int]:
        return dict(self._call("listing changed collections", self._zot.collection_versions, since=since))

    def deleted(self, since: int) -> Deleted:
        data = self._call("listing deletions", self._zot.deleted, since=since)
        return Deleted(items=tuple(data.get("items", [])), collections=tuple(data.get("collections", [])))

    def items_by_key(self, keys: list[str]) -> list[dict]:
        """The ``data`` of the items with these keys (at most 50 per call), trashed ones included.

        A trashed item's data carries ``"deleted": 1`` (see :func:`is_trashed`).
        """
        if not keys:
            return []
        if len(keys) > MAX_KEYS_PER_READ:
            raise ValueError(f"at most {MAX_KEYS_PER_READ} keys per request")
        found = self._call("fetching items", self._zot.items, itemKey=",".join(keys), limit=MAX_KEYS_PER_READ,
                           includeTrashed=1)
        return [entry["data"] for entry in found]

    def collections_by_key(self, keys: list[str]) -> list[LibraryCollection]:
        if not keys:
            return []
        found = self._call("fetching collections", self._zot.collections, collectionKey=",".join(keys),
                           limit=MAX_KEYS_PER_READ)
        return [LibraryCollection(key=e["data"]["key"], name=e["data"]["name"],
                                  parent_key=e["data"].get("parentCollection") or None,
                                  version=int(e["data"].get("version", 0))) for e in found]

    # writes -------------------------------------------------------------------------------
    def create_items(self, objects: list[dict]) -> WriteResult:
        """POST items in batches of <= 50, parents before their children (callers order them)."""
        return self._write("items", objects, self._zot.create_items)

    def upload_file(self, key: str, data: bytes, *, filename: str, mtime_ms: int) -> str:
        """Store ``data`` as the file of attachment ``key``: Zotero's upload protocol, three requests.

        1. authorization (md5, filename, filesize, mtime) -> an upload URL, or ``exists`` when Zotero
           already has this file (returns "exists" at once);
        2. the upload itself (prefix + file + suffix, to the URL given, without our API key);
        3. registration of the upload key.
        Returns "uploaded" or "exists"; raises :class:`ZoteroQuotaError` on 413 (storage full).
        """
        url = f"{self._zot.endpoint}/{self.library}/items/{key}/file"
        md5 = hashlib.md5(data).hexdigest()  # noqa: S324 - the protocol's checksum, not security

        def authorize() -> dict:
            response = self._http.post(url, headers={**self._zot.default_headers(), "If-None-Match": "*",
                                                     "Content-Type": "application/x-www-form-urlencoded"},
                                       data={"md5": md5, "filename": filename, "filesize": str(len(data)),
                                             "mtime": str(mtime_ms)})
            if response.status_code == 412:
                return {"exists": 1}  # a file is there already (an earlier attempt uploaded it)
            if response.status_code == 413:
                raise ZoteroQuotaError(f"the PDF ({len(data) // 1024} KB) does not fit in the Zotero storage of"
                                       f" {self.library}: {response.text.strip()[:200]}")
            if response.status_code in (401, 403):
                raise pz_errors.UserNotAuthorisedError(response.text)
            response.raise_for_status()
            return response.json()

        answer = self._call("authorizing the PDF upload", authorize)
        if answer.get("exists"):
            return "exists"

        def upload() -> None:
            body = answer.get("prefix", "").encode() + data + answer.get("suffix", "").encode()
            response = self._http.post(answer["url"], content=body, headers={"Content-Type": answer["contentType"]})
            if response.status_code not in (200, 201, 204):
                response.raise_for_status()

        def register() -> None:
            response = self._http.post(url, headers={**self._zot.default_headers(), "If-None-Match": "*",
                                                     "Content-Type": "application/x-www-form-urlencoded"},
                                       data={"upload": answer["uploadKey"]})
            if response.status_code in (401, 403):
                raise pz_errors.UserNotAuthorisedError(response.text)
            if response.status_code != 204:
                response.raise_for_status()

        self._call("uploading the PDF", upload)
        self._call("registering the PDF upload", register)
        return "uploaded"

    def delete_item(self, key: str, version: int) -> None:
        """Delete one item we know the version of (``If-Unmodified-Since-Version``)."""
        def delete() -> None:
            response = self._http.delete(f"{self._zot.endpoint}/{self.library}/items/{key}",
                                         headers={**self._zot.default_headers(),
                                                  "If-Unmodified-Since-Version": str(version)})
            if response.status_code not in (204, 404):
                response.raise_for_status()
        self._call("deleting an item", delete)

    def create_collections(self, objects: list[dict]) -> WriteResult:
        return self._write("collections", objects, self._zot.create_collections)

    def _write(self, kind: str, objects: list[dict], post: Callable[..., Any]) -> WriteResult:
        result = WriteResult()
        for start in range(0, len(objects), MAX_WRITE_BATCH):
            batch = [json.loads(json.dumps(o)) for o in objects[start:start + MAX_WRITE_BATCH]]
            try:
                answer = self._post(kind, post, batch)
            except ZoteroLibraryChangedError:
                raise
            except ZoteroError as exc:
                if not isinstance(exc.__cause__, pz_errors.PreConditionFailedError):
                    raise
                # The whole request got 412 (its write token was used by an attempt whose answer
                # we lost). Send it again under a new token: objects already written now fail
                # one by one with 412, which callers read as "already there".
                self.replayed_writes += 1
                answer = self._post(kind, post, batch)
            _merge(result, answer, offset=start)
            result.library_version = self.library_version
        return result

    def _post(self, kind: str, post: Callable[..., Any], batch: list[dict]) -> Any:
        kwargs = {} if self.library_version is None else {"last_modified": self.library_version}
        try:
            answer = self._call(f"saving {kind}", post, batch, **kwargs)
        except ZoteroError as exc:
            cause = exc.__cause__
            if isinstance(cause, pz_errors.PreConditionFailedError) and "modified since" in str(cause).lower():
                raise ZoteroLibraryChangedError(f"saving {kind}: the library changed since version "
                                                f"{self.library_version}") from cause
            if isinstance(exc, ZoteroAuthError):
                raise ZoteroAuthError(f"saving {kind}: the Zotero API key lacks write access to {self.library}"
                                      " (zotero.org/settings/keys: allow write access; for a group, give the"
                                      " key read/write on it; see docs/zotero.md)") from cause
            raise
        version = getattr(getattr(self._zot, "request", None), "headers", {}).get("Last-Modified-Version")
        if version and self.library_version is not None:
            self.library_version = int(version)  # our write was the only change since the version we had
        return answer


class ZoteroQuotaError(ZoteroError):
    """The file does not fit in the library owner's Zotero storage (HTTP 413)."""


def is_trashed(data: dict) -> bool:
    """True for an item in the Zotero trash: the API sends ``"deleted": 1`` (desktop JSON: ``true``)."""
    flag = data.get("deleted")
    if isinstance(flag, str):
        return flag.strip().lower() not in ("", "0", "false")
    return bool(flag)


def _merge(result: WriteResult, answer: dict, *, offset: int) -> None:
    for index, key in (answer.get("success") or {}).items():
        result.written[offset + int(index)] = key
    for index, key in (answer.get("unchanged") or {}).items():
        result.unchanged[offset + int(index)] = key
    for index, failure in (answer.get("failed") or {}).items():
        result.failed[offset + int(index)] = (int(failure.get("code", 0)), str(failure.get("message", "")))


def objects_in_batches(groups: Iterable[list[dict]], size: int = MAX_WRITE_BATCH) -> list[list[dict]]:
    """Pack groups (a parent and its children) into batches of <= ``size`` without splitting a group."""
    batches: list[list[dict]] = []
    current: list[dict] = []
    for group in groups:
        if len(group) > size:
            raise ValueError("a group larger than one batch")
        if len(current) + len(group) > size:
            batches.append(current)
            current = []
        current.extend(group)
    if current:
        batches.append(current)
    return batches
