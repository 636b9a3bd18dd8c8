from rs_service import policy
from rs_service.accounts.auth import caller, token_auth
from rs_service.attendance import service
from rs_service.attendance.rules import credited_minutes
from rs_service.attendance.schemas import AttendanceSaveSchema, AttendanceSchema, CorrectionSchema
from rs_service.errors import ApiBlueprint
from rs_service.groups.models import Session

blp = ApiBlueprint("attendance_api", __name__, url_prefix="/api/v1", description="Attendance and sign-off")


def attendance_session(session_id: int) -> Session:
    return policy.authorized(
        caller(),
        Session,
        session_id,
        policy.may_change_session,
        "Only the group's facilitators or staff may take its attendance.",
    )


def attendance_of(session: Session) -> dict:
    records = service.records_of(session)
    people = {p.id: p for p in service.people_with_records(session, records)}
    return {
        "session_id": session.id,
        "signed_off": session.signed_off,
        "signed_off_at": session.signed_off_at,
        "version": session.attendance_version,
        "records": [
            {
                "person_id": r.person_id,
                "name": people[r.person_id].name,
                "status": r.status,
                "minutes": credited_minutes(r.status, r.minutes, session.duration_minutes),
                "minutes_present": r.minutes,
            }
            for r in sorted(records.values(), key=lambda r: (people[r.person_id].name, r.person_id))
        ],
    }


@blp.route("/sessions/<int:session_id>/attendance", methods=["GET"])
@blp.errors(401, 403, 404)
@token_auth
@blp.response(200, AttendanceSchema)
def get_attendance(session_id):
    return attendance_of(attendance_session(session_id))


@blp.route("/sessions/<int:session_id>/attendance", methods=["PUT"])
@blp.errors(401, 403, 404, 409)
@token_auth
@blp.arguments(AttendanceSaveSchema)
@blp.response(200, AttendanceSchema)
def save_attendance(body, session_id):
    session = attendance_session(session_id)
    marks = [service.Mark(**record) for record in body["records"]]
    return attendance_of(service.save_attendance(session, marks, caller(), body["version"]))


@blp.route("/sessions/<int:session_id>/sign-off", methods=["POST"])
@blp.errors(401, 403, 404, 409, 422)
@token_auth
@blp.response(200, AttendanceSchema)
def sign_off(session_id):
    session = attendance_session(session_id)
    policy.require(policy.may_sign_off(caller(), session), "Only the group's facilitator signs off its attendance.")
    service.sign_off(session, caller())
    return attendance_of(session)


@blp.route("/sessions/<int:session_id>/attendance/<int:person_id>/correct", methods=["POST"])
@blp.errors(401, 403, 404, 409)
@token_auth
@blp.arguments(CorrectionSchema)
@blp.response(200, AttendanceSchema)
def correct(body, session_id, person_id):
    session = attendance_session(session_id)
    service.correct(session, person_id, body["status"], body["minutes"], body["reason"], caller())
    return attendance_of(session)
