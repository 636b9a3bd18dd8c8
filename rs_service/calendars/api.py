import marshmallow as ma

from rs_service import policy
from rs_service.accounts.auth import caller, token_auth
from rs_service.calendars import service
from rs_service.errors import ApiBlueprint

blp = ApiBlueprint("calendars_api", __name__, url_prefix="/api/v1", description="Calendar subscriptions")


class FeedSchema(ma.Schema):
    url = ma.fields.String()
    webcal_url = ma.fields.String()


def feed_answer(url: str) -> dict:
    return {"url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}


@blp.route("/people/<int:person_id>/calendar-feed", methods=["GET"])
@blp.errors(401, 403, 404)
@token_auth
@blp.response(200, FeedSchema)
def get_feed(person_id):
    return feed_answer(service.feed_url(policy.visible_person(caller(), person_id)))


@blp.route("/people/<int:person_id>/calendar-feed", methods=["POST"])
@blp.errors(401, 403, 404, 409)
@token_auth
@blp.response(200, FeedSchema)
def rotate_feed(person_id):
    return feed_answer(service.rotate_feed(policy.visible_person(caller(), person_id)))
