"""legco-qa: cited answers over policy papers, offline."""

from .config import apply_offline_env

apply_offline_env()  # before chromadb, transformers or gradio are imported anywhere

__version__ = "0.1.0"
