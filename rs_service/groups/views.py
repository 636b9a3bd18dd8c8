"""Pages for groups and their sessions: parse the form, call the service, render or redirect.

Times are shown in the group's own time zone, with its abbreviation, whoever is looking.
"""

import functools
import re
from datetime import datetime, time, timedelta
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo, available_timezones

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from rs_service import clock, policy
from rs_service.accounts.models import Organization, Person
from rs_service.audit.service import trail
from rs_service.calendars import service as calendars
from rs_service.clock import local_date
from rs_service.domain_errors import Conflict, InvalidInput
from rs_service.errors import put_on_form
from rs_service.extensions import db
from rs_service.groups import schedule, service
from rs_service.groups.editing import GroupEdit, edit_group
from rs_service.groups.forms import (
    CancelForm,
    EnrollForm,
    GroupEditForm,
    GroupForm,
    RescheduleForm,
    RotateFeedForm,
    SeriesChangeForm,
    WithdrawForm,
)
from rs_service.groups.models import Enrollment, Group, Session
from rs_service.groups.schedule import to_instant
from rs_service.listing import page_number, page_of_query
from rs_service.local_times import local_time, long_date, time_of_day

blp = Blueprint("groups", __name__)

RECENT_PAST = timedelta(days=60)  # how far back "my sessions" lists past sessions


# Lookups: another association's ids answer 404, a visible thing the caller may not use 403 ---------


def viewable_group(group_id: int) -> Group:
    return policy.authorized(current_user, Group, group_id, policy.may_view_group)


def managed_group(group_id: int) -> Group:
    return policy.authorized(current_user, Group, group_id, lambda actor, _: policy.is_staff(actor))


def changeable_session(session_id: int) -> Session:
    return policy.authorized(current_user, Session, session_id, policy.may_change_session)


def me() -> Person:
    return current_user._get_current_object()


# Groups of the association ------------------------------------------------------------------------


@blp.route("/groups")
@login_required
def index():
    policy.require_staff(current_user)
    search = request.args.get("q", "").strip()[:200]
    sort = request.args.get("sort", "name")
    sort = sort if sort in service.GROUP_SORTS else "name"
    page = service.group_directory(current_user.organization_id, search, sort, page_number(request.args.get("page")))
    ids = [g.id for g in page.items]
    now = clock.now()
    return render_template(
        "groups/index.html",
        page=page,
        groups=page.items,
        search=search,
        sort=sort,
        next_sessions=service.next_sessions(ids, now),
        filled=service.fill_counts(ids, local_date(now, current_user.organization.timezone)),
        waiting=service.waitlist_counts(ids),
    )


@blp.route("/groups/new", methods=["GET", "POST"])
@login_required
def new():
    policy.require_staff(current_user)
    form = GroupForm(timezone=current_user.organization.timezone)
    form.facilitator_ids.choices = facilitator_choices(current_user.organization)
    form.provider_id.choices = [("", _("The first facilitator chosen")), *form.facilitator_ids.choices]
    preview = None
    if form.validate_on_submit():
        plan = plan_from(form)
        try:
            if request.form.get("action") == "create":
                group = service.create_group(current_user.organization_id, plan)
                count = service.session_count(group.id)
                flash(
                    ngettext(
                        "%(name)s is created with %(num)d session.",
                        "%(name)s is created with %(num)d sessions.",
                        count,
                        name=group.name,
                    )
                )
                return redirect(url_for(".detail", group_id=group.id))
            preview = preview_of(plan)
            if plan.facilitator_ids:  # show a clash now rather than at "Create"
                service.ensure_no_double_booking(
                    service.facilitators_for(current_user.organization_id, plan.facilitator_ids),
                    [(start, plan.duration_minutes) for start, _ in preview],
                )
        except (InvalidInput, Conflict) as error:
            put_on_form(form, error, form.error_field_for(error.field))
    status = 422 if form.errors else 200
    return render_template("groups/new.html", form=form, preview=preview, zones=zone_names()), status


def plan_from(form: GroupForm) -> service.GroupPlan:
    return service.GroupPlan(
        name=form.name.data.strip(),
        timezone=form.timezone.data.strip(),
        rrule=form.recurrence_rule(),
        first_date=form.first_date.data,
        until=form.until.data,
        start_time=form.start_time.data,
        duration_minutes=form.duration_minutes.data,
        capacity=form.capacity.data,
        facilitator_ids=tuple(form.facilitator_ids.data),
        provider_id=form.provider_id.data,
        kind=form.kind.data,
        location=(form.location.data or "").strip() or None,
        join_url=(form.join_url.data or "").strip() or None,
        blackout_dates=form.skipped_dates(),
    )


def preview_of(plan: service.GroupPlan) -> list[tuple[datetime, str | None]]:
    return [(start, clock_note(start, plan.timezone, plan.start_time)) for start in service.check_plan(plan)]


def clock_note(start: datetime, zone: str, wanted: time | None = None) -> str | None:
    """Why this session's time may surprise someone: clocks changed in the week before it."""
    tz = ZoneInfo(zone)
    local = start.astimezone(tz)
    if wanted is not None and local.time() != wanted:
        return (
            f"{wanted:%H:%M} does not exist that day (clocks go forward), "
            f"so it starts at {time_of_day(local)} {local:%Z}"
        )
    week_before = (local.replace(tzinfo=None) - timedelta(days=7)).replace(tzinfo=tz)
    if week_before.utcoffset() != local.utcoffset():
        return f"Clocks changed this week ({week_before:%Z} to {local:%Z}): check times across time zones"
    return None


@blp.route("/groups/<int:group_id>")
@login_required
def detail(group_id: int):
    return render_group(viewable_group(group_id))


def render_group(group: Group, *, enroll_form=None, series_form=None, withdrawal=None, status=200):
    """The group page; a form that failed is passed in so that it shows its errors (and status 422)."""
    now = clock.now()
    today = local_date(now, group.timezone)
    enrollments = service.enrollments_of(group)
    context = {
        "group": group,
        "sessions": service.sessions_of(group),
        "today": today,
        "now": now,
        "has_errors": status == 422,
        "may_manage": policy.is_staff(current_user),
        "may_change_sessions": policy.may_change_sessions_of(current_user, group),
    }
    if policy.may_see_enrollments(current_user, group):
        context["enrollments"] = enrollments
    else:
        context["members"] = [e.person for e in enrollments if e.holds_place_on(today)]
    if context["may_manage"]:
        if enroll_form is None:
            enroll_form = EnrollForm(formdata=None, joined_on=today)
            enroll_form.person_ids.choices = []
        context.update(candidates_for(group, enroll_form))
        withdraw_forms = {
            e.person_id: WithdrawForm(formdata=None, prefix=f"withdraw-{e.person_id}", left_on=today)
            for e in enrollments
            if e.left_on is None
        }
        if withdrawal is not None:
            withdraw_forms[withdrawal[0]] = withdrawal[1]
        context.update(
            enroll_form=enroll_form,
            withdraw_forms=withdraw_forms,
            series_form=series_form or SeriesChangeForm(formdata=None, from_date=today),
        )
    return render_template("groups/detail.html", **context), status


@blp.route("/groups/<int:group_id>/enrollments", methods=["POST"])
@login_required
def enroll(group_id: int):
    """Several participants at once, picked from a search of the association's people."""
    group = managed_group(group_id)
    form = EnrollForm()
    chosen = chosen_candidates(group, request.form.getlist(form.person_ids.name))
    form.person_ids.choices = [(p.id, p.name) for p in chosen]
    if form.validate_on_submit():
        if len(chosen) != len(set(form.person_ids.data)):
            form.person_ids.errors.append(
                _("Someone chosen is already in the group, deactivated or no longer here: reload the page.")
            )
            return render_group(group, enroll_form=form, status=422)
        try:
            enrollments = service.enroll_many(group, chosen, form.joined_on.data, waitlist=form.waitlist.data)
        except (InvalidInput, Conflict) as error:
            put_on_form(form, error)
        else:
            flash(enrolled_message(enrollments))
            return redirect(url_for(".detail", group_id=group.id, _anchor="members"))
    return render_group(group, enroll_form=form, status=422)


CANDIDATES_SHOWN = 50  # participants listed to pick from; a search narrows the rest


def candidates_for(group: Group, form: EnrollForm) -> dict:
    """Who the page offers to add: those matching the search (`q`), and any already ticked."""
    search = request.values.get("q", "").strip()[:200]
    found = page_of_query(service.enrollment_candidates(group, search), 1, CANDIDATES_SHOWN)
    ticked = set(form.person_ids.data or [])
    offered = [p for p in found.items if p.id not in ticked]
    return {
        "search": search,
        "candidates": [(p, True) for p in chosen_candidates(group, ticked)] + [(p, False) for p in offered],
        "candidates_total": found.total,
    }


def chosen_candidates(group: Group, ids) -> list[Person]:
    """The people with these ids who may still join the group, by name: anything else is not a choice."""
    wanted = {int(i) for i in ids if str(i).isdigit() and 0 < int(i) <= policy.MAX_ID}
    if not wanted:
        return []
    return list(db.session.scalars(service.enrollment_candidates(group).where(Person.id.in_(wanted))))


def enrolled_message(enrollments: list[Enrollment]) -> str:
    enrolled = [e for e in enrollments if not e.waitlisted]
    waiting = [e for e in enrollments if e.waitlisted]
    parts = []
    if enrolled:
        parts.append(
            _(
                "%(names)s enrolled from %(day)s.",
                names=", ".join(e.person.name for e in enrolled),
                day=long_date(enrolled[0].joined_on),
            )
        )
    if waiting:
        parts.append(_("%(names)s on the waitlist.", names=", ".join(e.person.name for e in waiting)))
    return " ".join(parts)


@blp.route("/groups/<int:group_id>/enrollments/<int:person_id>/withdraw", methods=["POST"])
@login_required
def withdraw(group_id: int, person_id: int):
    group = managed_group(group_id)
    person = policy.find_in_association(Person, person_id, current_user.organization_id)
    if person is None:
        abort(404)
    form = WithdrawForm(prefix=f"withdraw-{person_id}")
    if form.validate_on_submit():
        try:
            enrollment = service.withdraw(group, person_id, form.left_on.data)
        except (InvalidInput, Conflict) as error:
            put_on_form(form, error, form.left_on if error.field == "left_on" else None)
        else:
            flash(
                _("%(name)s is off the waitlist.", name=person.name)
                if enrollment.waitlisted
                else _("%(name)s leaves the group after %(day)s.", name=person.name, day=long_date(form.left_on.data))
            )
            return redirect(url_for(".detail", group_id=group.id, _anchor="members"))
    return render_group(group, withdrawal=(person_id, form), status=422)


@blp.route("/groups/<int:group_id>/edit", methods=["GET", "POST"])
@login_required
def edit(group_id: int):
    """Name, places, facilitators, provider of record, location, join link and description."""
    group = managed_group(group_id)
    form = GroupEditForm(data=None if request.method == "POST" else editable_values(group))
    form.facilitator_ids.choices = facilitator_choices(current_user.organization)
    form.provider_id.choices = [(0, _("The first facilitator")), *form.facilitator_ids.choices]
    if form.validate_on_submit():
        try:
            outcome = edit_group(group, form.changes(), me())
        except (InvalidInput, Conflict) as error:
            put_on_form(form, error)
        else:
            for message in edit_messages(outcome):
                flash(message)
            return redirect(url_for(".detail", group_id=group.id))
    return render_template("groups/edit.html", group=group, form=form), 422 if form.errors else 200


def editable_values(group: Group) -> dict:
    return {
        "name": group.name,
        "capacity": group.capacity,
        "facilitator_ids": [f.id for f in group.facilitators],
        "provider_id": group.provider_id or 0,
        "location": group.location,
        "join_url": group.join_url,
        "description": group.description,
    }


def edit_messages(outcome: GroupEdit) -> list[str]:
    if not outcome.changed:
        return [_("Nothing changed.")]
    messages = [_("Saved.")]
    if outcome.sessions_updated:
        messages.append(_("Subscribed calendars show the change at their next refresh."))
    if outcome.people_to_update:
        messages.append(
            ngettext(
                "%(num)d person already sent an invitation gets an updated one.",
                "%(num)d people already sent an invitation get an updated one.",
                outcome.people_to_update,
            )
        )
    if outcome.off_the_waitlist:
        names = ", ".join(e.person.name for e in outcome.off_the_waitlist)
        messages.append(_("Off the waitlist and enrolled from today: %(names)s.", names=names))
    return messages


@blp.route("/groups/<int:group_id>/series", methods=["POST"])
@login_required
def change_series(group_id: int):
    group = managed_group(group_id)
    form = SeriesChangeForm()
    if form.validate_on_submit():
        if form.from_date.data > group.until:
            form.from_date.errors.append(f"The group ends on {long_date(group.until)}; choose a date before that.")
            return render_group(group, series_form=form, status=422)
        try:
            service.change_series_from(
                group, form.from_date.data, start_time=form.start_time.data, duration_minutes=form.duration_minutes.data
            )
        except (InvalidInput, Conflict) as error:
            field = {
                "start_time": form.start_time,
                "duration_minutes": form.duration_minutes,
                "until": form.from_date,
                "first_date": form.from_date,
            }.get(error.field or "")
            put_on_form(form, error, field)
        else:
            flash(
                ngettext(
                    "Sessions from %(day)s on start at %(time)s for %(num)d minute; "
                    "sessions already moved, cancelled or taken keep their times.",
                    "Sessions from %(day)s on start at %(time)s for %(num)d minutes; "
                    "sessions already moved, cancelled or taken keep their times.",
                    group.duration_minutes,
                    day=long_date(form.from_date.data),
                    time=time_of_day(group.start_time),
                )
            )
            return redirect(url_for(".detail", group_id=group.id, _anchor="sessions"))
    return render_group(group, series_form=form, status=422)


# One session -------------------------------------------------------------------------------------


@blp.route("/sessions/<int:session_id>", endpoint="session")
@login_required
def session_page(session_id: int):
    return render_session(changeable_session(session_id))


def render_session(session: Session, *, reschedule_form=None, cancel_form=None, status=200):
    """The session page: reschedule, cancel, and the way to its attendance."""
    group = session.group
    local = session.starts_at.astimezone(ZoneInfo(group.timezone))
    if reschedule_form is None:
        reschedule_form = RescheduleForm(
            formdata=None, day=local.date(), start_time=local.time(), duration_minutes=session.duration_minutes
        )
    events = trail(group.organization_id, session_id=session.id) if policy.is_staff(current_user) else []
    return render_template(
        "groups/session.html",
        session=session,
        group=group,
        reschedule_form=reschedule_form,
        cancel_form=cancel_form or CancelForm(formdata=None),
        events=events,
    ), status


@blp.route("/sessions/<int:session_id>/reschedule", methods=["POST"])
@login_required
def reschedule(session_id: int):
    session = changeable_session(session_id)
    form = RescheduleForm()
    if form.validate_on_submit():
        # The date and time typed are wall-clock time in the group's zone.
        starts_at = to_instant(datetime.combine(form.day.data, form.start_time.data), session.group.timezone)
        sequence = session.sequence
        try:
            service.reschedule_session(session, starts_at, form.duration_minutes.data)
        except (InvalidInput, Conflict) as error:
            field = {"starts_at": form.day, "duration_minutes": form.duration_minutes}.get(error.field or "")
            put_on_form(form, error, field)
        else:
            flash(
                _("Nothing changed: that is the session's current time.")
                if session.sequence == sequence
                else _(
                    "The session is now on %(when)s. Subscribed calendars show the change at their next refresh.",
                    when=local_time(session.starts_at, session.group.timezone),
                )
            )
            return redirect(url_for(".session", session_id=session.id))
    return render_session(session, reschedule_form=form, status=422)


@blp.route("/sessions/<int:session_id>/cancel", methods=["POST"])
@login_required
def cancel(session_id: int):
    session = changeable_session(session_id)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            service.cancel_session(session, form.reason.data)
        except (InvalidInput, Conflict) as error:
            put_on_form(form, error, form.reason if error.field == "reason" else None)
        else:
            flash(
                _(
                    "The session on %(when)s is cancelled.",
                    when=local_time(session.starts_at, session.group.timezone),
                )
            )
            return redirect(url_for(".session", session_id=session.id))
    return render_session(session, cancel_form=form, status=422)


# A person's own sessions -------------------------------------------------------------------------


@blp.route("/my/sessions")
@login_required
def my_sessions():
    """The sessions the caller facilitates: today's first, then upcoming, then recent past ones."""
    now = clock.now()
    sessions = sorted(
        (
            s
            for group, group_sessions in service.schedule_of(me())
            if policy.facilitates(current_user, group)
            for s in group_sessions
        ),
        key=lambda s: (s.starts_at, s.id),
    )
    today, upcoming, past = [], [], []
    for session in sessions:
        zone = session.group.timezone
        day, here_today = local_date(session.starts_at, zone), local_date(now, zone)
        if day == here_today:
            today.append(session)
        elif session.starts_at > now:
            upcoming.append(session)
        elif session.starts_at >= now - RECENT_PAST:
            past.append(session)
    return render_template("groups/my_sessions.html", today=today, upcoming=upcoming, past=past[::-1], now=now)


@blp.route("/my/schedule")
@login_required
def my_schedule():
    """The same sessions as the person's calendar feed: their groups, from the day they joined."""
    now = clock.now()
    sessions = sorted(
        (s for _, group_sessions in service.schedule_of(me()) for s in group_sessions),
        key=lambda s: (s.starts_at, s.id),
    )
    upcoming = [s for s in sessions if s.ends_at > now]
    past = [s for s in sessions if s.ends_at <= now][::-1]
    waitlisted = service.waitlisted_groups(current_user.id)
    return render_template(
        "groups/my_schedule.html",
        upcoming=upcoming,
        past=past,
        waitlisted=waitlisted,
        **subscribe_links(
            calendars.feed_url(me()), _("RS sessions · %(association)s", association=me().organization.name)
        ),
    )


def subscribe_links(feed: str, name: str) -> dict[str, str]:
    """The feed as each calendar app adds it in one tap: Apple by webcal://, Google and Outlook by URL."""
    webcal = re.sub(r"^https?://", "webcal://", feed)
    outlook = urlencode({"url": feed, "name": name}, quote_via=quote)
    return {
        "feed_url": feed,
        "webcal_url": webcal,
        "google_url": "https://calendar.google.com/calendar/r?" + urlencode({"cid": webcal}, quote_via=quote),
        "outlook_url": f"https://outlook.live.com/calendar/0/addfromweb?{outlook}",
        "office_url": f"https://outlook.office.com/calendar/0/addfromweb?{outlook}",
    }


@blp.route("/my/schedule/new-link", methods=["GET", "POST"])
@login_required
def rotate_feed():
    """GET asks first (every existing subscription stops); POST makes the new link."""
    if request.method == "GET":
        return render_template("groups/new_link.html", rotate_form=RotateFeedForm(formdata=None))
    if not RotateFeedForm().validate_on_submit():
        abort(400)
    calendars.rotate_feed(me())
    flash(
        _(
            "You have a new calendar link. The old link no longer works: subscribe again with the new one "
            "in every calendar app that used the old one."
        )
    )
    return redirect(url_for(".my_schedule", _anchor="subscribe"))


# Helpers -----------------------------------------------------------------------------------------


def facilitator_choices(organization: Organization) -> list[tuple[int, str]]:
    today = clock.today_in(organization.timezone)
    choices = []
    for person in service.possible_facilitators(organization.id):
        details = [person.role, *sorted(c.category for c in person.credentials if c.is_valid_on(today))]
        choices.append((person.id, f"{person.name} ({', '.join(details)})"))
    return choices


@functools.cache
def zone_names() -> list[str]:
    return sorted(
        z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/", "posix/", "right/"))
    )


# Shown in templates ------------------------------------------------------------------------------


@blp.app_template_filter("describe_rule")
def describe_rule(rule: str) -> str | None:
    """The group's rule in the reader's words (see `schedule.describe_rule`); None for an unusual rule."""
    return schedule.describe_rule(rule)
