"""Pages of the proposals domain."""
from flask import Blueprint

bp = Blueprint("proposals", __name__)
