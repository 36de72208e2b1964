"""WeasyPrint for dossiers: a URL fetcher that serves only the project's static files and the
case's own exhibits, and the rendering of one HTML document into PDF bytes with what the merge
needs to know (pages, bookmarks, where each section starts)."""

import logging
import mimetypes
import posixpath
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from django.contrib.staticfiles import finders
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

# Relative URLs in dossier templates resolve against this base. The host is in the reserved
# `.invalid` domain: nothing ever resolves it, and the fetcher below never opens a connection.
BASE_URL = "https://dossier.invalid/"
_HOST = urlsplit(BASE_URL).hostname
# Paths the templates may use: the project's static files and the case's image exhibits.
STATIC_PREFIX = "/static/"
EXHIBIT_PREFIX = "/exhibits/"


class FetchRefused(ValueError):
    """A URL outside the project's static files and the case's exhibits."""


class SafeURLFetcher(URLFetcher):
    """Serves `/static/…` from the project's static files and `/exhibits/<id>` for the exhibits of
    the case being printed; refuses everything else (http, file://, data:, other hosts) without
    any network or disk access, and remembers what it refused."""

    def __init__(self, *, exhibits=None):
        super().__init__(allowed_protocols=("https",), allow_redirects=False, fail_on_errors=False)
        self.exhibits = {exhibit.pk: exhibit for exhibit in (exhibits or [])}
        self.refused: list[str] = []
        self.served: list[str] = []

    def fetch(self, url, headers=None):
        try:
            response = self._serve(url)
        except FetchRefused:
            self.refused.append(url)
            logger.warning("Dossier : ressource refusée %s", url[:200])
            raise
        self.served.append(url)
        return response

    def _serve(self, url: str) -> URLFetcherResponse:
        try:
            parts = urlsplit(url)
            foreign = parts.scheme != "https" or parts.hostname != _HOST or parts.port is not None or parts.username
        except ValueError:  # a malformed URL or port
            raise FetchRefused(url) from None
        if foreign:
            raise FetchRefused(url)
        path = unquote(parts.path)
        if "\x00" in path or ".." in path.split("/"):
            raise FetchRefused(url)
        if path.startswith(STATIC_PREFIX):
            return self._static(url, posixpath.normpath(path[len(STATIC_PREFIX) :]))
        if path.startswith(EXHIBIT_PREFIX):
            return self._exhibit(url, path[len(EXHIBIT_PREFIX) :])
        raise FetchRefused(url)

    def _static(self, url: str, relative: str) -> URLFetcherResponse:
        if relative.startswith(("/", ".")):
            raise FetchRefused(url)
        found = finders.find(relative)
        if not found:
            raise FetchRefused(url)
        with open(found, "rb") as handle:
            body = handle.read()
        content_type = mimetypes.guess_type(relative)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})

    def _exhibit(self, url: str, identifier: str) -> URLFetcherResponse:
        exhibit = self.exhibits.get(int(identifier)) if identifier.isdigit() else None
        if exhibit is None or not exhibit.content_type.startswith("image/"):
            raise FetchRefused(url)
        with exhibit.file.open("rb") as handle:
            body = handle.read()
        return URLFetcherResponse(url, body, {"Content-Type": exhibit.content_type})


@dataclass
class RenderedDocument:
    """A rendered piece of the dossier: its PDF, page count, bookmarks (level, label, page index)
    and the page index where each section (`<h1 id="section-…">`) starts."""

    pdf: bytes
    pages: int
    bookmarks: list[tuple[int, str, int]] = field(default_factory=list)
    starts: dict[str, int] = field(default_factory=dict)

    def layout(self) -> dict:
        return {"bookmarks": [list(entry) for entry in self.bookmarks], "starts": self.starts}


def render_html(html: str, *, fetcher: SafeURLFetcher | None = None, tagged: bool = True) -> RenderedDocument:
    """Lay out and write one HTML document, tagged (its structure for screen readers) and as
    PDF/A-2b (fonts embedded, sRGB output intent, XMP). The fetcher decides what may be loaded.
    `tagged=False` for what is drawn on every page of another document (the running header),
    which is an artifact there, not content."""
    fetcher = fetcher or SafeURLFetcher()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render()
    bookmarks: list[tuple[int, str, int]] = []
    starts: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for level, label, _point, _state in page.bookmarks:
            bookmarks.append((level, label, index))
        for anchor in page.anchors:
            if anchor.startswith("section-"):
                starts.setdefault(anchor.removeprefix("section-"), index)
    pages = len(document.pages)
    pdf = document.write_pdf(pdf_variant="pdf/a-2b", pdf_tags=tagged)
    return RenderedDocument(pdf=pdf, pages=pages, bookmarks=bookmarks, starts=starts)
