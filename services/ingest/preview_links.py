"""Signed preview links: HMAC-SHA256 over an article id and an expiry, valid for an hour.

The secret is NEWSROOM_PREVIEW_SECRET; one that is short or the example's placeholder stops
ingest at start (as a weak API token does). Without it previews are off.
"""

import hashlib
import hmac
import time
from urllib.parse import quote, urlencode

from shared.api_tokens import MIN_SECRET_LENGTH, PLACEHOLDER, WeakTokenError

VARIABLE = "NEWSROOM_PREVIEW_SECRET"
LIFETIME_S = 3600
PREFIX = "/preview/"


def checked_secret(secret: str) -> str:
    """The secret when it is strong (or empty: previews off); WeakTokenError otherwise."""
    advice = "make one with `newsroom token new --name preview` and take its secret"
    if secret == PLACEHOLDER or 0 < len(secret) < MIN_SECRET_LENGTH:
        raise WeakTokenError(
            f"{VARIABLE}: at least {MIN_SECRET_LENGTH} characters are needed; {advice}"
        )
    return secret


class PreviewLinks:
    """Signs and checks preview links."""

    def __init__(self, secret: str) -> None:
        self.key = checked_secret(secret).encode()

    @property
    def enabled(self) -> bool:
        """Whether a secret is configured."""
        return bool(self.key)

    def signature(self, article_id: str, expires: int) -> str:
        """The link's signature (hex)."""
        message = f"{article_id}\n{expires}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()

    def path(self, article_id: str, now: float | None = None) -> str:
        """The site path of a new link to the article's preview, valid for LIFETIME_S."""
        expires = int(now if now is not None else time.time()) + LIFETIME_S
        query = urlencode({"exp": expires, "sig": self.signature(article_id, expires)})
        return f"{PREFIX}{quote(article_id)}?{query}"

    def valid(self, article_id: str, expires: str, signature: str) -> bool:
        """Whether a link's expiry and signature are this service's and not past."""
        if not self.key or not expires.isascii() or not expires.isdigit() or len(expires) > 12:
            return False
        good = hmac.compare_digest(
            signature.encode(), self.signature(article_id, int(expires)).encode()
        )
        return good and int(expires) >= time.time()
