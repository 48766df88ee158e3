// Parse an iCalendar file from standard input with ical.js (Thunderbird's parser) and print
// each event's UID, UTC start and summary as JSON; exit 1 with the parser's message on failure.
import ICAL from "ical.js";
import { readFileSync } from "node:fs";

const text = readFileSync(0, "utf8");
try {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const events = calendar.getAllSubcomponents("vevent").map((component) => {
    const event = new ICAL.Event(component);
    const start = event.startDate;
    return {
      uid: event.uid,
      start: start.isDate ? start.toString() : start.toJSDate().toISOString(),
      all_day: start.isDate,
      summary: event.summary,
      sequence: event.sequence,
      alarms: component.getAllSubcomponents("valarm").length,
    };
  });
  process.stdout.write(JSON.stringify({
    name: calendar.getFirstPropertyValue("x-wr-calname"),
    events,
  }));
} catch (error) {
  process.stderr.write(`ical.js: ${error.message}\n`);
  process.exit(1);
}
