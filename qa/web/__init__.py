"""The web front end: REST API, Gradio chat, embeddable widget, all in one FastAPI process."""

from .server import create_app

__all__ = ["create_app"]
