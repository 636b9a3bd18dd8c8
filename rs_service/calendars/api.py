import marshmallow as ma
from flask_smorest import Blueprint

from rs_service import policy
from rs_service.accounts.auth import caller, token_auth
from rs_service.calendars import service

blp = Blueprint("calendars_api", __name__, url_prefix="/api/v1", description="Calendar subscriptions")


class FeedSchema(ma.Schema):
    url = ma.fields.String()
    webcal_url = ma.fields.String()


def feed_answer(url: str) -> dict:
    return {"url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}


@blp.route("/people/<int:person_id>/calendar-feed", methods=["GET"])
@token_auth
@blp.response(200, FeedSchema)
def get_feed(person_id):
    return feed_answer(service.feed_url(policy.visible_person(caller(), person_id)))


@blp.route("/people/<int:person_id>/calendar-feed", methods=["POST"])
@token_auth
@blp.response(200, FeedSchema)
def rotate_feed(person_id):
    return feed_answer(service.rotate_feed(policy.visible_person(caller(), person_id)))
