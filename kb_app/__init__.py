"""kb_app: the knowledge base and regulation-configuration manager of a 12345 hotline."""

from .config import Settings, load_settings
from .exceptions import KbError
from .kb import Kb, init_repo, open_kb, restore_backup

__all__ = ["Kb", "KbError", "Settings", "init_repo", "load_settings", "open_kb", "restore_backup"]
