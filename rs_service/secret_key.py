"""The key that signs sessions and forms when no SECRET_KEY is configured.

A constant fallback would let anyone who has read the source sign a session cookie for any
person. Instead a random key is made once in the instance folder, readable by its owner only,
and reused on every start, so logins survive a restart. Production never gets here: it refuses
to start without SECRET_KEY (config.load_config).
"""

import logging
import os
import secrets
import tempfile
from pathlib import Path

from flask import Flask

log = logging.getLogger(__name__)

KEY_FILE = "secret_key"


def ensure_secret_key(app: Flask) -> None:
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path))


def instance_secret_key(folder: Path) -> str:
    """The key stored in `folder`, made (mode 0600) on first use."""
    path = folder / KEY_FILE
    key = _read_key(path)
    if key:
        log.info("SECRET_KEY is not set: signing sessions with the key kept in %s", path)
        return key
    folder.mkdir(parents=True, exist_ok=True)
    written = _write_new_key(path)
    if written:
        log.warning(
            "SECRET_KEY is not set: generated a random key in %s (readable by its owner only) and will reuse it; "
            "set SECRET_KEY to share one key between machines",
            path,
        )
    return _read_key(path)


def _read_key(path: Path) -> str:
    try:
        key = path.read_text().strip()
    except FileNotFoundError:
        return ""
    if key and path.stat().st_mode & 0o077:
        log.warning("%s can be read by other users; making it readable by its owner only", path)
        path.chmod(0o600)
    return key


def _write_new_key(path: Path) -> bool:
    """Write a new key unless another process just did; True when this one wrote it.

    The key is written to a private temporary file first and then linked into place, which fails
    if the file exists: two workers starting together end up sharing the first one's key.
    """
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret_key-")  # mode 0600
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32) + "\n")
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        return True
    finally:
        os.unlink(temporary)
