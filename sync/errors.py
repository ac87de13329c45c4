"""The one exception hierarchy of paperfeed.

Every error we raise on purpose derives from :class:`PaperfeedError`, so the CLI
and the server can turn it into a clear message (CLI) or a 4xx/5xx JSON error
(server) without knowing every subclass.
"""


class PaperfeedError(Exception):
    """Base class. ``code`` is a stable machine-readable name."""

    code = "paperfeed_error"

    def __init__(self, message: str, *, details: dict | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}


class ConfigError(PaperfeedError):
    """The configuration file or an environment variable is invalid or missing."""

    code = "config_error"


class InvalidInputError(PaperfeedError):
    """Input from a user (CLI argument, request, file) that we cannot use."""

    code = "invalid_input"


class InvalidArxivIdError(InvalidInputError):
    """A string that is not an arXiv identifier in any known form."""

    code = "invalid_arxiv_id"


class NotFoundError(PaperfeedError):
    """Something asked for by id does not exist (locally or upstream)."""

    code = "not_found"


class StorageError(PaperfeedError):
    """The local store cannot be opened, migrated or written."""

    code = "storage_error"


class SourceError(PaperfeedError):
    """A remote source (arXiv, Zotero) failed."""

    code = "source_error"


class ArxivError(SourceError):
    code = "arxiv_error"


class ArxivUnavailableError(ArxivError):
    """arXiv could not be reached or kept answering 429/5xx after our retries."""

    code = "arxiv_unavailable"


class ArxivQueryError(ArxivError):
    """arXiv rejected the request (HTTP 400 error feed, bad archive in the feed URL)."""

    code = "arxiv_bad_query"


class ZoteroError(SourceError):
    code = "zotero_error"


class ZoteroUnavailableError(ZoteroError):
    """Zotero could not be reached or kept answering 429/5xx; work stays queued."""

    code = "zotero_unavailable"


class ZoteroAuthError(ZoteroError):
    """The API key is missing, wrong, or lacks the needed permission."""

    code = "zotero_auth"


class ZoteroLibraryChangedError(ZoteroError):
    """A conditional write (If-Unmodified-Since-Version) found the library changed: pull, then write again."""

    code = "zotero_library_changed"


class BusyError(PaperfeedError):
    """Another run (fetch/sync/daily cycle) holds the lock."""

    code = "busy"


class DeliveryError(PaperfeedError):
    """A report could not be delivered (files not writable, email refused or unreachable)."""

    code = "delivery_failed"
