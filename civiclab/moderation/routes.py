"""Pages of the moderation domain."""
from flask import Blueprint

bp = Blueprint("moderation", __name__)
