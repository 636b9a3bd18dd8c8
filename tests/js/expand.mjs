// Test harness: expand an iCalendar document with Mozilla's ical.js
// (the parser Thunderbird uses).
//
//   node expand.mjs START END < calendar.ics
//
// START and END are ISO-8601 UTC instants (e.g. 2025-01-01T00:00:00Z); every
// occurrence overlapping [START, END) is printed, as JSON on stdout:
//
//   {"method": "REQUEST" | null,
//    "occurrences": [{"uid", "start", "end", "recurrence_id", "status",
//                     "sequence", "summary", "location", "url", "description",
//                     "tzid", "organizer", "attendees"}, ...]}
//
// Times are UTC ISO strings.  Time zones are resolved ONLY from the
// VTIMEZONE components inside the document (ical.js has no tz database of its
// own), so this also checks the VTIMEZONE blocks we write.  A TZID without a
// matching VTIMEZONE is an error (ical.js would otherwise treat the time as
// floating), and so is any parse error: the process exits non-zero with the
// message on stderr.
import ICAL from "ical.js";

const MAX_ITERATIONS = 100000;

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on("data", (c) => chunks.push(c));
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    process.stdin.on("error", reject);
  });
}

function utcTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) {
    throw new Error(`invalid window bound: ${iso}`);
  }
  return ICAL.Time.fromJSDate(d, true);
}

function toIso(time) {
  if (!time) {
    return null;
  }
  if (time.isDate) {
    throw new Error(`all-day value not expected here: ${time.toString()}`);
  }
  if (time.zone === ICAL.Timezone.localTimezone || !time.zone) {
    throw new Error(`floating time (unresolved TZID?): ${time.toString()}`);
  }
  return time.toJSDate().toISOString().replace(".000Z", "Z");
}

function checkTzids(vcalendar) {
  const defined = new Set(
    vcalendar.getAllSubcomponents("vtimezone").map((tz) => tz.getFirstPropertyValue("tzid"))
  );
  for (const ev of vcalendar.getAllSubcomponents("vevent")) {
    for (const prop of ev.getAllProperties()) {
      const tzid = prop.getParameter("tzid");
      if (tzid && !defined.has(tzid)) {
        throw new Error(`TZID ${tzid} used by ${prop.name} has no VTIMEZONE`);
      }
    }
  }
}

function mailto(value) {
  if (!value) {
    return null;
  }
  return String(value).replace(/^mailto:/i, "");
}

function describe(event, details) {
  const comp = details.item.component;
  const organizerProp = comp.getFirstProperty("organizer");
  const tzProp = comp.getFirstProperty("dtstart");
  return {
    uid: event.uid,
    start: toIso(details.startDate),
    end: toIso(details.endDate),
    recurrence_id: details.recurrenceId ? toIso(details.recurrenceId) : null,
    status: comp.getFirstPropertyValue("status") || null,
    sequence: comp.hasProperty("sequence") ? comp.getFirstPropertyValue("sequence") : null,
    summary: comp.getFirstPropertyValue("summary") || null,
    location: comp.getFirstPropertyValue("location") || null,
    url: comp.getFirstPropertyValue("url") || null,
    description: comp.getFirstPropertyValue("description") || null,
    tzid: tzProp ? tzProp.getParameter("tzid") || null : null,
    organizer: organizerProp
      ? { email: mailto(organizerProp.getFirstValue()), cn: organizerProp.getParameter("cn") || null }
      : null,
    attendees: comp.getAllProperties("attendee").map((p) => ({
      email: mailto(p.getFirstValue()),
      cn: p.getParameter("cn") || null,
      role: p.getParameter("role") || null,
      partstat: p.getParameter("partstat") || null,
      rsvp: p.getParameter("rsvp") || null,
    })),
  };
}

function overlaps(details, start, end) {
  return details.startDate.compare(end) < 0 && details.endDate.compare(start) > 0;
}

function expand(vcalendar, start, end) {
  const byUid = new Map();
  for (const comp of vcalendar.getAllSubcomponents("vevent")) {
    const uid = comp.getFirstPropertyValue("uid");
    if (!byUid.has(uid)) {
      byUid.set(uid, { masters: [], exceptions: [] });
    }
    const entry = byUid.get(uid);
    (comp.hasProperty("recurrence-id") ? entry.exceptions : entry.masters).push(comp);
  }

  const out = [];
  for (const [uid, { masters, exceptions }] of byUid) {
    if (masters.length > 1) {
      throw new Error(`UID ${uid} has ${masters.length} components without RECURRENCE-ID`);
    }
    if (masters.length === 0) {
      // Orphan overrides: show them as they are (what most clients do).
      for (const comp of exceptions) {
        const ev = new ICAL.Event(comp);
        const details = { recurrenceId: ev.recurrenceId, item: ev, startDate: ev.startDate, endDate: ev.endDate };
        if (overlaps(details, start, end)) {
          out.push(describe(ev, details));
        }
      }
      continue;
    }
    // Relate exceptions explicitly: without options.exceptions ical.js would
    // relate every RECURRENCE-ID component of the calendar, whatever its UID.
    const event = new ICAL.Event(masters[0], { exceptions, strictExceptions: true });
    if (!event.isRecurring()) {
      const details = { recurrenceId: null, item: event, startDate: event.startDate, endDate: event.endDate };
      if (overlaps(details, start, end)) {
        out.push(describe(event, details));
      }
      continue;
    }
    const it = event.iterator();
    let n = 0;
    for (let next = it.next(); next; next = it.next()) {
      if (++n > MAX_ITERATIONS) {
        throw new Error(`UID ${uid}: more than ${MAX_ITERATIONS} occurrences`);
      }
      const details = event.getOccurrenceDetails(next);
      if (overlaps(details, start, end)) {
        out.push(describe(event, details));
      }
      // Overrides may move an occurrence later than its recurrence id, so
      // stop on the recurrence id, with a generous margin (one year).
      if (next.toUnixTime() > end.toUnixTime() + 366 * 86400) {
        break;
      }
    }
  }
  out.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.uid < b.uid ? -1 : 1));
  return out;
}

async function main() {
  const [startArg, endArg] = process.argv.slice(2);
  if (!startArg || !endArg) {
    throw new Error("usage: node expand.mjs START END < calendar.ics");
  }
  const start = utcTime(startArg);
  const end = utcTime(endArg);
  const text = await readStdin();
  const vcalendar = new ICAL.Component(ICAL.parse(text));
  if (vcalendar.name !== "vcalendar") {
    throw new Error(`expected VCALENDAR, got ${vcalendar.name}`);
  }
  checkTzids(vcalendar);
  const method = vcalendar.getFirstPropertyValue("method") || null;
  process.stdout.write(JSON.stringify({ method, occurrences: expand(vcalendar, start, end) }));
}

main().catch((err) => {
  process.stderr.write(`expand.mjs: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
