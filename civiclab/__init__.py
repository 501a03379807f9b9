"""CivicLab: the co-design platform of the Laboratori aperti network."""
from pathlib import Path

from flask import Flask, g, request, session
from flask_login import current_user

from config import ConfigError, config_for

ROOT = Path(__file__).resolve().parent.parent


def create_app(config=None):
    """Build the app for `config` (a config class or CIVICLAB_ENV name)."""
    config_class = config if isinstance(config, type) else config_for(config)
    config_class.check()
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(config_class)
    Path(app.instance_path).mkdir(exist_ok=True)

    _init_extensions(app)
    from civiclab.core.converters import register_converters

    register_converters(app)  # `<id:…>` in the blueprints' rules
    from civiclab.core.mail import connect_mail_after_commit

    connect_mail_after_commit()  # mail sent in a request leaves after its commit (before rooms' pushes)
    from civiclab.core.jobs import connect_jobs_after_commit

    connect_jobs_after_commit()  # with JOB_QUEUE=rq, jobs of a request go to the queue after its commit
    _connect_domains(app)
    _register_request_boundary(app)
    from civiclab.cli import register_cli
    from civiclab.core.errors import register_error_handlers
    from civiclab.core.form_keys import register_form_keys
    from civiclab.core.header import register_header
    from civiclab.core.network import register_network
    from civiclab.core.security import register_security_headers
    from civiclab.core.templating import register_template_helpers

    register_error_handlers(app)
    from civiclab.core.page_cache import register_page_cache

    register_page_cache(app)  # its look-up first among before_request; its front door inside the proxies
    from civiclab.core.health import register_health
    from civiclab.core.logs import register_request_log

    register_health(app)  # /healthz, /readyz: any Host, no limit, never cached
    register_request_log(app)  # request id and access line, inside the proxies (their client address)
    register_network(app)  # trusted proxies and hosts
    register_security_headers(app)
    register_form_keys(app)  # a create form posted twice creates once (after the request boundary)
    register_template_helpers(app)
    register_header(app)  # `header` in every page: the menu and the counters domains add
    register_cli(app)
    return app


def _select_locale():
    """The reader's language as a Babel locale ("en" reads and formats as en_GB)."""
    from civiclab.core.errors import is_api_request
    from civiclab.core.i18n import LANGUAGES, babel_locale, chosen_language

    if is_api_request():  # the API reads no cookie and no account: the language asked for (Accept-Language)
        return babel_locale(chosen_language(None, request.accept_languages))
    chosen = session.get("lang")
    user_locale = None
    if chosen not in LANGUAGES and current_user and current_user.is_authenticated:
        user_locale = current_user.locale
    return babel_locale(chosen_language(chosen, request.accept_languages, user_locale))


def _init_extensions(app):
    from civiclab import models  # noqa: F401  (every table known to SQLAlchemy and Alembic)
    from civiclab.extensions import babel, csrf, db, limiter, login_manager, mail, migrate, socketio

    db.init_app(app)
    from civiclab.core.db import configure_sqlite

    with app.app_context():
        configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    mail.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)

    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or "memory://")
    limiter.init_app(app)

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    from flask_babel import lazy_gettext
    login_manager.login_message = lazy_gettext("Accedi per continuare.")

    from civiclab.accounts.sessions import load_signed_in_user

    login_manager.user_loader(load_signed_in_user)  # "<user id>:<session key>", live sessions only

    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        message_queue=app.config["REDIS_URL"],
        manage_session=False,
    )


# Floor by floor (STYLE.md, "Floors"): each domain's connect() registers its pages and listeners.
DOMAINS = ("accounts", "places", "audit", "programmes", "events", "proposals", "comments", "follows", "notifications",
           "moderation", "rooms", "search", "outcomes", "opendata", "pages", "api", "jobs")


def _connect_domains(app):
    from importlib import import_module

    from civiclab.core.routes import bp as core_bp

    app.register_blueprint(core_bp)
    for name in DOMAINS:
        import_module(f"civiclab.{name}").connect(app)


def _register_request_boundary(app):
    """One commit per request: services flush, the boundary commits or rolls back."""
    from civiclab.extensions import db

    @app.after_request
    def commit_or_roll_back(response):
        if not db.session.registry.has():
            return response  # the request never used the database (a page from the page cache)
        if response.status_code < 400 and not g.get("rollback_only"):
            db.session.commit()
        else:
            db.session.rollback()
        return response


__all__ = ["ConfigError", "create_app"]
