"""Pages of the follows domain."""
from flask import Blueprint

bp = Blueprint("follows", __name__)
