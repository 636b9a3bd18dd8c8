"""Certificates as Open Badges 3.0 credentials, checked the way an outside verifier would.

The verifier here knows nothing of the service's code: it fetches the credential, the published
JWKS and the status list over HTTP, checks the EdDSA signatures with joserfc and again with
`cryptography` alone, and reads the revocation bit by hand (base64url, gzip, the bit at the index).
"""

import base64
import gzip
import json
import os
import stat
from urllib.parse import urlsplit

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

from rs_service.endorsement import service, signing
from rs_service.extensions import db
from tests.endorsement.helpers import AS_OF, full_year, provider
from tests.factories import log_in, make_org, make_person, token_for

# Open Badges 3.0 names the algorithm "EdDSA"; joserfc would rather RFC 9864's "Ed25519".
pytestmark = pytest.mark.filterwarnings("ignore:EdDSA is deprecated:joserfc.errors.SecurityWarning")


@pytest.fixture(autouse=True)
def key_file(app, tmp_path):
    """A signing key of this test's own, generated on first use as in a fresh deployment."""
    saved = {name: app.config.get(name) for name in ("SIGNING_KEY_FILE", "RS_SIGNING_KEY")}
    app.config.update(SIGNING_KEY_FILE=str(tmp_path / "instance" / "signing-key.pem"), RS_SIGNING_KEY=None)
    signing.forget_signing_key(app)
    yield tmp_path / "instance" / "signing-key.pem"
    app.config.update(saved)
    signing.forget_signing_key(app)


@pytest.fixture
def certificate(org, staff):
    holder = make_person(org, "participant", name="Zoë Lindqvist", pursuing_category="IFS")
    full_year(holder, provider(org, "IMHS", name="Alice Adams"))
    issued = service.issue_certificate(holder, "IFS", staff, as_of=AS_OF)
    db.session.commit()
    return issued


# ----------------------------------------------------------------------------- the independent verifier


def fetch(client, url: str):
    """GET an absolute URL of the service the way a verifier would (the test client serves rs.test)."""
    parts = urlsplit(url)
    assert parts.netloc == "rs.test", url
    response = client.get(parts.path)
    assert response.status_code == 200, (url, response.status_code)
    return response


def b64decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def verified_claims(client, token: str) -> dict:
    """Check the signature against the published key twice over; the payload if it holds, else raise."""
    header = json.loads(b64decode(token.split(".")[0]))
    assert header["alg"] == "EdDSA" and header["typ"] == "JWT"
    published = fetch(client, header["kid"]).get_json()  # the kid dereferences to the JWKS
    key = next(k for k in published["keys"] if k["kid"] == header["kid"])
    assert set(key) >= {"kty", "crv", "x"} and "d" not in key and key["crv"] == "Ed25519"
    # 1. the JOSE library, given only the published JWK
    claims = jwt.decode(token, KeySet.import_key_set({"keys": [key]}), algorithms=["EdDSA"]).claims
    # 2. the bare Ed25519 check, as RFC 8037 describes it
    signing_input, _, signature = token.rpartition(".")
    Ed25519PublicKey.from_public_bytes(b64decode(key["x"])).verify(b64decode(signature), signing_input.encode())
    return claims


def revoked_by_status_list(client, credential: dict) -> bool:
    status = credential["credentialStatus"]
    assert (status["type"], status["statusPurpose"]) == ("BitstringStatusListEntry", "revocation")
    listing = verified_claims(client, fetch(client, status["statusListCredential"]).get_data(as_text=True))
    assert "BitstringStatusListCredential" in listing["type"] and listing["iss"] == credential["iss"]
    encoded = listing["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")  # multibase base64url, no padding
    bits = gzip.decompress(b64decode(encoded[1:]))
    assert len(bits) * 8 >= 131_072
    index = int(status["statusListIndex"])
    return bool(bits[index // 8] >> (7 - index % 8) & 1)


def accepts(client, token: str) -> bool:
    """The verifier's whole answer: signature good, claims consistent, not revoked."""
    try:
        claims = verified_claims(client, token)
    except (BadSignatureError, InvalidSignature):
        return False
    assert claims["iss"] == claims["issuer"]["id"] and claims["jti"] == claims["id"]
    assert claims["sub"] == claims["credentialSubject"]["id"]
    return not revoked_by_status_list(client, claims)


# ----------------------------------------------------------------------------- the credential


def test_a_certificate_is_an_open_badge_credential_the_verifier_accepts(client, api, staff, certificate):
    response = api.get(f"/certificates/{certificate.code}/ob3", token_for(staff))
    assert response.status_code == 200 and response.mimetype == "application/jwt"
    token = response.get_data(as_text=True)
    assert accepts(client, token)

    claims = verified_claims(client, token)
    assert claims["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json" in claims["@context"]
    assert claims["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert claims["id"] == f"http://rs.test/verify/{certificate.code}"
    assert claims["issuer"] | {"name": None} == {
        "id": "http://rs.test/issuers/mi-aimh",
        "type": ["Profile"],
        "name": None,
        "url": "http://rs.test",
    }
    subject = claims["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"] and subject["id"].startswith("urn:uuid:")
    assert {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": "Zoë Lindqvist"} in (
        subject["identifier"]
    )
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"] and "(IFS)" in achievement["name"]
    assert "At least 24.00 clock hours" in achievement["criteria"]["narrative"]
    results = {r["resultDescription"].rsplit("#", 1)[1]: r["value"] for r in subject["result"]}
    assert results == {"hours": "24.00", "window": "2024-01-01/2025-12-31"}
    assert (subject["activityStartDate"], subject["activityEndDate"]) == (
        "2024-01-01T00:00:00Z",
        "2025-12-31T00:00:00Z",
    )
    assert claims["validFrom"] and claims["nbf"] <= int(certificate.issued_at.timestamp()) + 1


def test_a_tampered_credential_is_refused(client, api, staff, certificate):
    token = api.get(f"/certificates/{certificate.code}/ob3", token_for(staff)).get_data(as_text=True)
    header, payload, signature = token.split(".")
    claims = json.loads(b64decode(payload))
    claims["credentialSubject"]["result"][0]["value"] = "50.00"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    assert not accepts(client, f"{header}.{forged}.{signature}")
    other_key = Ed25519PrivateKey.generate()  # or signed by anyone but the issuer
    resigned = other_key.sign(f"{header}.{payload}".encode())
    assert not accepts(client, f"{header}.{payload}.{base64.urlsafe_b64encode(resigned).decode().rstrip('=')}")


def test_a_revoked_certificate_is_refused_through_the_status_list(client, api, staff, certificate):
    token = api.get(f"/certificates/{certificate.code}/ob3", token_for(staff)).get_data(as_text=True)
    assert accepts(client, token)
    revoked = api.post(f"/certificates/{certificate.code}/revoke", token_for(staff), json={"reason": "in error"})
    assert revoked.status_code == 200
    assert not accepts(client, token)  # the same credential, refused without calling the API
    assert api.get(f"/certificates/{certificate.code}/ob3", token_for(staff)).get_data(as_text=True) == token


def test_other_certificates_stay_valid_when_one_is_revoked(client, api, org, staff, certificate):
    other = make_person(org, "participant", pursuing_category="IFS")
    full_year(other, provider(org, "IMHS"))
    second = service.issue_certificate(other, "IFS", staff, as_of=AS_OF)
    db.session.commit()
    assert second.status_index != certificate.status_index
    service.revoke_certificate(certificate, staff, "in error")
    db.session.commit()
    token = api.get(f"/certificates/{second.code}/ob3", token_for(staff)).get_data(as_text=True)
    assert accepts(client, token)


def test_the_credential_names_the_public_url_whatever_host_was_asked(app, client, api, staff, certificate):
    token = api.get(f"/certificates/{certificate.code}/ob3", token_for(staff), headers={"Host": "evil.example"})
    claims = json.loads(b64decode(token.get_data(as_text=True).split(".")[1]))
    assert claims["iss"] == "http://rs.test/issuers/mi-aimh"
    assert claims["credentialStatus"]["statusListCredential"].startswith("http://rs.test/issuers/mi-aimh/")


# ----------------------------------------------------------------------------- published documents


def test_the_issuer_profile_and_jwks_are_public(client, org):
    profile = client.get("/issuers/mi-aimh")
    assert profile.status_code == 200
    assert profile.get_json() | {"name": None} == {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "http://rs.test/issuers/mi-aimh",
        "type": ["Profile"],
        "name": None,
        "url": "http://rs.test",
    }
    assert client.get("/issuers/no-such-association").status_code == 404
    assert client.get("/issuers/no-such-association/status/revocation").status_code == 404
    keys = client.get("/.well-known/jwks.json").get_json()["keys"]
    assert len(keys) == 1 and keys[0]["kty"] == "OKP" and "d" not in keys[0]


def test_who_may_download_the_credential(app, client, api, org, certificate):
    holder = certificate.person
    assert api.get(f"/certificates/{certificate.code}/ob3", token_for(holder)).status_code == 200
    assert (
        api.get(f"/certificates/{certificate.code}/ob3", token_for(make_person(org, "participant"))).status_code == 404
    )
    stranger = token_for(make_person(make_org("ct-aimh"), "staff"))
    assert api.get(f"/certificates/{certificate.code}/ob3", stranger).status_code == 404
    assert api.get(f"/certificates/{certificate.code}/ob3").status_code == 401
    assert api.get("/certificates/not-a-code/ob3", token_for(holder)).status_code == 404

    log_in(client, holder)
    page = client.get("/my/hours").get_data(as_text=True)
    assert f"/endorsement/certificates/{certificate.code}/ob3" in page
    download = client.get(f"/endorsement/certificates/{certificate.code}/ob3")
    assert download.status_code == 200 and download.mimetype == "application/jwt"
    assert "Zo%C3%AB%20Lindqvist%20-%20IFS%20RSC%20open%20badge.jwt" in download.headers["Content-Disposition"]
    assert accepts(client, download.get_data(as_text=True))


def test_staff_download_it_from_the_certificate_page(client, staff, certificate):
    log_in(client, staff)
    page = client.get(f"/endorsement/certificates/{certificate.code}").get_data(as_text=True)
    assert f"/endorsement/certificates/{certificate.code}/ob3" in page
    assert client.get(f"/endorsement/certificates/{certificate.code}/ob3").status_code == 200


# ----------------------------------------------------------------------------- the signing key


def test_the_key_is_generated_once_readable_by_its_owner_only(app, key_file, client):
    assert not key_file.exists()
    first = client.get("/.well-known/jwks.json").get_json()
    assert key_file.exists() and stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    signing.forget_signing_key(app)  # a restart reads the same key back
    assert client.get("/.well-known/jwks.json").get_json() == first
    assert [p.name for p in key_file.parent.iterdir()] == ["signing-key.pem"]  # no temporary file left


def test_a_key_from_the_environment_is_used_and_nothing_is_written(app, key_file, client):
    pem = Ed25519PrivateKey.generate().private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
    app.config["RS_SIGNING_KEY"] = pem.replace("\n", "\\n")  # as an environment variable carries it
    signing.forget_signing_key(app)
    published = client.get("/.well-known/jwks.json").get_json()["keys"][0]
    assert published["x"] == signing.public_jwk(signing.signing_key(app))["x"]
    assert not key_file.exists()


def test_a_key_that_is_not_ed25519_is_refused(app):
    app.config["RS_SIGNING_KEY"] = "-----BEGIN PRIVATE KEY-----\\nnonsense\\n-----END PRIVATE KEY-----"
    signing.forget_signing_key(app)
    with pytest.raises(ValueError, match="RS_SIGNING_KEY"):
        signing.signing_key(app)
