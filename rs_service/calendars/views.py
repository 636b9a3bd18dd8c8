from flask import Blueprint, Response, abort, request
from flask_login import current_user, login_required

from rs_service import policy
from rs_service.calendars import service
from rs_service.groups.models import Group

blp = Blueprint("calendars", __name__)

CALENDAR_TYPE = "text/calendar; charset=utf-8"


@blp.route("/calendar/<token>.ics")
def feed(token: str):
    """The private subscription feed: the token is the credential, so no login."""
    # The tag comes from what the feed is made of, in one statement, so a client that has this
    # version gets 304 before anything is loaded or built.
    found = service.feed_tag(token)
    if found is None:
        abort(404)
    if found.fetched_before and request.if_none_match.contains_weak(found.tag):
        return Response(status=304, headers=calendar_headers(found.tag, "rs-schedule.ics", inline=True))
    person = service.person_for_feed(token)
    if person is None:  # deactivated or given a new link in between
        abort(404)
    service.record_fetch(person)
    body = service.person_calendar(person)
    return calendar_response(body, "rs-schedule.ics", inline=True, tag=found.tag)


@blp.route("/groups/<int:group_id>/calendar.ics")
@login_required
def group_ics(group_id: int):
    group = policy.authorized(current_user, Group, group_id, policy.may_view_group)
    return calendar_response(service.group_calendar(group), f"rs-group-{group.id}.ics", inline=False)


def calendar_response(body: bytes, filename: str, *, inline: bool, tag: str | None = None) -> Response:
    """With an ETag (by default, the body's digest) so a client that already has this version gets 304 and no body."""
    tag = tag or service.entity_tag(body)
    headers = calendar_headers(tag, filename, inline=inline)
    # Weak comparison (RFC 9110 13.1.2): a proxy or client may send the tag back as W/"...".
    if request.if_none_match.contains_weak(tag):
        return Response(status=304, headers=headers)
    return Response(body, headers=headers, content_type=CALENDAR_TYPE)


def calendar_headers(tag: str, filename: str, *, inline: bool) -> dict[str, str]:
    return {
        "ETag": f'"{tag}"',
        # Private data: no shared cache may keep it; clients revalidate with If-None-Match.
        "Cache-Control": "private, no-cache",
        "Content-Disposition": f'{"inline" if inline else "attachment"}; filename="{filename}"',
        "X-Robots-Tag": "noindex",
    }
