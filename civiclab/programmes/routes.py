"""Routes of programmes."""
from flask import Blueprint

bp = Blueprint("programmes", __name__)
