"""The one module a server imports: `gunicorn wsgi:app`, `flask --app wsgi ...`."""
from civiclab import create_app

app = create_app()
