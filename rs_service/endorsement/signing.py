"""The deployment's Ed25519 key that signs Open Badges credentials and status lists, and its public JWKS.

The key comes from RS_SIGNING_KEY (a PEM private key or a private JWK) when set; otherwise it is
read from SIGNING_KEY_FILE, which is generated on first use, written whole under another name and
linked into place, readable by its owner only. Two processes starting at once end up with the
same key: the one whose link fails reads the other's. The key never leaves this module except
as its public half.
"""

import json
import logging
import os
import stat
import tempfile
import warnings
from pathlib import Path
from typing import Final

from flask import Flask, current_app
from joserfc import jwt
from joserfc.errors import SecurityWarning
from joserfc.jwk import OKPKey

from rs_service.urls import external_url

log = logging.getLogger(__name__)

ALGORITHM = "EdDSA"  # with an Ed25519 key, as Open Badges 3.0 wallets and verifiers know it
CURVE: Final = "Ed25519"
_CACHE = "rs_signing_key"


def signing_key(app: Flask | None = None) -> OKPKey:
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    key = app.extensions.get(_CACHE)
    if key is None:
        key = _load(app.config.get("RS_SIGNING_KEY"), Path(app.config["SIGNING_KEY_FILE"]))
        app.extensions[_CACHE] = key
    return key


def forget_signing_key(app: Flask) -> None:
    """Load the key again on next use (after the configuration changed)."""
    app.extensions.pop(_CACHE, None)


def _load(configured: str | None, path: Path) -> OKPKey:
    # An environment variable often carries the PEM's line breaks as "\n".
    key = _import(configured.replace("\\n", "\n"), "RS_SIGNING_KEY") if configured else _from_file(path)
    if key.as_dict().get("crv") != CURVE or not key.is_private:
        raise ValueError("the signing key must be a private Ed25519 key")
    return key


def _import(text: str, source: str) -> OKPKey:
    try:
        value = json.loads(text) if text.lstrip().startswith("{") else text.encode()
        return OKPKey.import_key(value)
    except (ValueError, TypeError) as error:
        raise ValueError(f"{source} is not an Ed25519 private key in PEM or JWK form: {error}") from None


def _from_file(path: Path) -> OKPKey:
    if not path.exists():
        _generate(path)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning("the signing key %s can be read by others (mode %o); it should be 600", path, mode)
    return _import(path.read_text(), str(path))


def _generate(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = OKPKey.generate_key(CURVE, private=True).as_pem(private=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".signing-key-")  # mode 600
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(pem)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temporary, path)  # atomic, and refuses to replace a key another process wrote
            log.info("generated a new signing key for Open Badges credentials in %s", path)
        except FileExistsError:
            pass
    finally:
        os.unlink(temporary)


def key_id(key: OKPKey) -> str:
    """A URI that dereferences to the key: the JWKS, with the key's RFC 7638 thumbprint as fragment."""
    return f"{external_url('badges.jwks')}#{key.thumbprint()}"


def public_jwk(key: OKPKey) -> dict:
    return {**key.as_dict(private=False), "kid": key_id(key), "use": "sig", "alg": ALGORITHM}


def jwks() -> dict:
    return {"keys": [public_jwk(signing_key())]}


def sign(claims: dict) -> str:
    """A compact JWS of `claims` (a VC-JWT when the claims are a credential)."""
    key = signing_key()
    header = {"alg": ALGORITHM, "kid": key_id(key), "typ": "JWT"}
    with warnings.catch_warnings():
        # joserfc prefers RFC 9864's "Ed25519" name; Open Badges verifiers and wallets expect "EdDSA".
        warnings.simplefilter("ignore", SecurityWarning)
        return jwt.encode(header, claims, key, algorithms=[ALGORITHM])
