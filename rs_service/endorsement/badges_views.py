"""What a verifier fetches to check an Open Badges credential without an account: the issuer's
profile, the public key, and the revocation status list; and the holder's or staff's download."""

from flask import Blueprint, Response, abort, jsonify
from flask_login import current_user, login_required

from rs_service import policy
from rs_service.endorsement import badges, openbadges, service, signing
from rs_service.endorsement.downloads import attachment

blp = Blueprint("badges", __name__)

JWT = "application/jwt"


@blp.route("/issuers/<slug>")
def issuer_profile(slug: str):
    organization = badges.organization_by_slug(slug)
    if organization is None:
        abort(404, description="No issuer has this name.")
    response = jsonify(openbadges.issuer_profile(badges.issuer_of(organization)))
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@blp.route("/.well-known/jwks.json")
def jwks():
    response = jsonify(signing.jwks())
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@blp.route("/issuers/<slug>/status/revocation")
def status_list(slug: str):
    """Signed afresh on every request, so a revocation shows at once."""
    organization = badges.organization_by_slug(slug)
    if organization is None:
        abort(404, description="No issuer has this name.")
    return Response(badges.status_list_jwt(organization), mimetype=JWT, headers={"Cache-Control": "no-cache"})


@blp.route("/endorsement/certificates/<code>/ob3")
@login_required
def download(code: str):
    """Staff of the issuing association, or the holder: the credential to put in a digital wallet."""
    certificate = service.certificate_by_code(code)
    if certificate is None or not policy.may_see_certificate_transcript(current_user, certificate):
        abort(404)
    name = service.document_name(certificate, "open badge", "jwt")
    return attachment(badges.open_badge_jwt(certificate), JWT, name)
