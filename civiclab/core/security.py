"""Security headers on every response: a strict CSP with no inline script, no framing, signed-in
pages never stored (Cache-Control: private, no-store); requests
whose fields or path carry NUL bytes refused (PostgreSQL text cannot hold them: they would be a 500)."""
from flask import abort, request
from flask_login import current_user

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    # Bootstrap Italia's CSS embeds one font as a data: URL (video.js icons), which Chromium
    # loads on every page; data: fonts can only come from our own stylesheets.
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def register_security_headers(app):
    @app.before_request
    def refuse_nul_bytes():
        # Form fields, query strings and the path (a slug or a code in it is looked up as text);
        # not uploaded files, which may hold any byte.
        fields = (request.args, request.form)
        if "\0" in request.path or any("\0" in value for values in fields for _name, value in values.items(multi=True)):
            abort(400)

    @app.after_request
    def set_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.endpoint != "static" and current_user.is_authenticated:
            # A signed-in page is one person's: no shared cache or back-button copy keeps it
            # (unless its route chose a private policy of its own, e.g. for an attachment).
            chosen = headers.get("Cache-Control", "")
            if "no-store" not in chosen and "private" not in chosen:
                headers["Cache-Control"] = "private, no-store"
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
