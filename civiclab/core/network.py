"""What the app believes about the network: the client's address when proxies stand in front
(only as many as TRUSTED_PROXY_COUNT says), and which host names it serves (TRUSTED_HOSTS)."""
from flask_babel import gettext as _
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix


class TrustedProxies:
    """Werkzeug's ProxyFix for as many proxies as the config names at the time of the request.

    With 0 no X-Forwarded-* header is believed, so a client talking to the app directly cannot
    pick the address its rate limits are counted under. With n, the n-th address from the right
    of X-Forwarded-For is the client (nginx appends the address it saw) and X-Forwarded-Proto the
    scheme. The Host stays the one the proxy passes on (nginx: `proxy_set_header Host $host`).
    """

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self._fixed = {}

    def __call__(self, environ, start_response):
        count = int(self.app.config.get("TRUSTED_PROXY_COUNT") or 0)
        if count <= 0:
            return self.wsgi_app(environ, start_response)
        if count not in self._fixed:
            self._fixed[count] = ProxyFix(self.wsgi_app, x_for=count, x_proto=count)
        return self._fixed[count](environ, start_response)


def register_network(app):
    # Outermost, around Socket.IO's middleware too: every request sees the same client address.
    app.wsgi_app = TrustedProxies(app, app.wsgi_app)

    @app.errorhandler(SecurityError)
    def untrusted_host(_error):
        # A Host outside TRUSTED_HOSTS (Flask refuses it before routing): no page can be built
        # on that host, so a plain answer that does not repeat it.
        return _("Richiesta non valida: indirizzo del sito sconosciuto."), 400, {
            "Content-Type": "text/plain; charset=utf-8"}
