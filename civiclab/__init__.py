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
    _register_blueprints(app)
    _register_request_boundary(app)

    from civiclab.core.mail import connect_mail_after_commit

    connect_mail_after_commit()  # mail sent in a request leaves after its commit
    from civiclab.events.notify import connect_listeners

    connect_listeners()  # mails and notifications of events; once per process
    from civiclab.accounts.sessions import connect as connect_sessions

    connect_sessions()  # a site-wide block signs the user out everywhere
    from civiclab.follows.notify import connect_listeners as connect_codesign_listeners

    connect_codesign_listeners()  # notifications of proposals, replies and followed news
    from civiclab.rooms.broadcast import connect_broadcasts
    from civiclab.rooms.creation import connect_room_creation

    connect_room_creation()  # every event, project and lab gets its room in the same flush
    connect_broadcasts()  # stored room messages and moderation reach connected screens
    from civiclab.rooms.sockets import register_socket_handlers

    register_socket_handlers(app)  # the /rooms Socket.IO namespace, its presence and rate limit

    from civiclab.core.errors import register_error_handlers
    from civiclab.core.form_keys import register_form_keys
    from civiclab.core.network import register_network
    from civiclab.core.security import register_security_headers
    from civiclab.core.templating import register_template_helpers
    from civiclab.cli import register_cli

    register_error_handlers(app)
    register_network(app)  # trusted proxies and hosts
    register_security_headers(app)
    register_form_keys(app)  # a create form posted twice creates once (after the request boundary)
    register_template_helpers(app)
    register_cli(app)
    return app


def _select_locale():
    """The reader's language as a Babel locale ("en" reads and formats as en_GB)."""
    from civiclab.core.i18n import LANGUAGES, babel_locale

    chosen = session.get("lang")
    if chosen not in LANGUAGES:
        user_locale = current_user.locale if current_user and current_user.is_authenticated else None
        chosen = user_locale if user_locale in LANGUAGES else request.accept_languages.best_match(LANGUAGES)
    return babel_locale(chosen or "it")


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


def _register_blueprints(app):
    from civiclab.accounts.routes import bp as accounts_bp
    from civiclab.core.routes import bp as core_bp
    from civiclab.places.routes import bp as places_bp
    from civiclab.programmes.routes import bp as programmes_bp
    from civiclab.events import bp as events_bp
    from civiclab.events import door_routes, registration_routes, routes  # noqa: F401  (fill events_bp)
    from civiclab.notifications.routes import bp as notifications_bp
    from civiclab.proposals.routes import bp as proposals_bp
    from civiclab.comments.routes import bp as comments_bp
    from civiclab.moderation.routes import bp as moderation_bp
    from civiclab.follows.routes import bp as follows_bp
    from civiclab.search.routes import bp as search_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(places_bp)
    app.register_blueprint(programmes_bp)
    app.register_blueprint(events_bp)
    app.register_blueprint(notifications_bp)
    from civiclab.rooms.routes import bp as rooms_bp

    for blueprint in (proposals_bp, comments_bp, moderation_bp, follows_bp, search_bp, rooms_bp):
        app.register_blueprint(blueprint)


def _register_request_boundary(app):
    """One commit per request: services flush, the boundary commits or rolls back."""
    from civiclab.extensions import db

    @app.after_request
    def commit_or_roll_back(response):
        if response.status_code < 400 and not g.get("rollback_only"):
            db.session.commit()
        else:
            db.session.rollback()
        return response


__all__ = ["create_app", "ConfigError"]
