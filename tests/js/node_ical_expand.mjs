// Test harness: expand an iCalendar document with node-ical (npm), an
// independent parser with its own recurrence engine and time zone handling.
//
//   node node_ical_expand.mjs START END < calendar.ics
//
// Prints {"occurrences": [{"uid", "start", "end", "summary"}, ...]} for every
// instance starting in [START, END] (ISO-8601 UTC instants), sorted by start;
// a parse error exits non-zero with the message on stderr.
import ical from "node-ical";

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on("data", (c) => chunks.push(c));
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    process.stdin.on("error", reject);
  });
}

function iso(date) {
  return new Date(date).toISOString().replace(".000Z", "Z");
}

async function main() {
  const [startArg, endArg] = process.argv.slice(2);
  const from = new Date(startArg);
  const to = new Date(endArg);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) {
    throw new Error("usage: node node_ical_expand.mjs START END < calendar.ics");
  }
  const data = ical.sync.parseICS(await readStdin());
  const out = [];
  for (const event of Object.values(data)) {
    if (!event || event.type !== "VEVENT") {
      continue;
    }
    // Overrides (RECURRENCE-ID) are kept on their master and applied by the expansion.
    for (const instance of ical.expandRecurringEvent(event, { from, to })) {
      out.push({ uid: event.uid, start: iso(instance.start), end: iso(instance.end), summary: String(instance.summary) });
    }
  }
  out.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.uid < b.uid ? -1 : 1));
  process.stdout.write(JSON.stringify({ occurrences: out }));
}

main().catch((err) => {
  process.stderr.write(`node_ical_expand.mjs: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
