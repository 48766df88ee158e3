// calfeed: a little script on top of pages that are complete without it.
"use strict";

const REGION_KEY = "calfeed.region";
// The page's words for what the script writes, in the page's language (base.html, data-words).
const WORDS = JSON.parse(document.body.dataset.words || "{}");
// Dates in the page's language; an English page keeps the browser's own date conventions.
const LOCALE = document.documentElement.lang === "en" ? undefined : document.documentElement.lang;

// A message of the page with its {name} (or, as templates write them, %(name)s) filled.
function say(key, values = {}) {
  return (WORDS[key] || "").replace(/\{(\w+)\}|%\((\w+)\)s/g, (whole, brace, percent) => {
    const name = brace || percent;
    return name in values ? String(values[name]) : whole;
  });
}

// What a failed request says, in a line: an error page's gist (in the page's words) and its
// message, else the body as sent (a text error).
async function errorText(response) {
  const body = await response.text();
  if (!(response.headers.get("Content-Type") || "").startsWith("text/html")) return body.trim();
  const page = new DOMParser().parseFromString(body, "text/html");
  return [".error-gist", ".error-message"].map((part) => page.querySelector(part))
    .filter(Boolean).map((part) => part.textContent.trim()).join(" ");
}

// Show each time in the browser's own zone, with the zone's abbreviation.
function localizeTimes() {
  const format = new Intl.DateTimeFormat(LOCALE, {
    weekday: "long", year: "numeric", month: "long", day: "numeric",
    hour: "numeric", minute: "2-digit", timeZoneName: "short",
  });
  for (const element of document.querySelectorAll("time[data-local]")) {
    element.textContent = format.format(new Date(element.getAttribute("datetime")));
  }
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  for (const note of document.querySelectorAll("[data-zone-note]")) {
    note.textContent = say("zone", { zone });
  }
}

// A region chosen before wins over the server's guess; so do the browser's language tags.
function rememberedRegion() {
  const picker = document.querySelector("[data-region-form] select[name=region]");
  if (!picker) return;
  const url = new URL(window.location.href);
  const valid = new Set(Array.from(picker.options, (option) => option.value));
  picker.addEventListener("change", () => localStorage.setItem(REGION_KEY, picker.value));
  if (url.searchParams.has("region")) return;
  let wanted = localStorage.getItem(REGION_KEY);
  if (!wanted) {
    for (const tag of navigator.languages || []) {
      const region = tag.split("-").slice(1).find((part) => part.length === 2);
      if (region) { wanted = region.toLowerCase(); break; }
    }
  }
  if (wanted && valid.has(wanted) && wanted !== picker.value) {
    url.searchParams.set("region", wanted);
    window.location.replace(url);
  }
}

function autosubmit() {
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.submit());
  }
}

function copyButtons() {
  for (const button of document.querySelectorAll("button[data-copy]")) {
    button.addEventListener("click", async () => {
      const status = document.getElementById(button.getAttribute("aria-describedby"));
      try {
        await navigator.clipboard.writeText(button.dataset.copy);
        status.textContent = say("copied");
      } catch (error) {
        status.textContent = say("copy_failed");
      }
    });
  }
}

// --- My calendar marks and the week page ---------------------------------------------------
// The edit page leaves {feed, edit, shows, region} here; pages mark those shows. It stays in
// this browser: nothing of it is sent to the server (docs/security.md, "Personal calendars").
const CALENDAR_KEY = "calfeed.calendar";
// Shows picked on show pages before a calendar exists (the server keeps them in a cookie too).
const PICKS_KEY = "calfeed.picks";

function storedPicks() {
  try {
    const stored = JSON.parse(localStorage.getItem(PICKS_KEY) || "[]");
    return Array.isArray(stored) ? stored : [];
  } catch (error) {
    return [];
  }
}

function storedCalendar() {
  try {
    const stored = JSON.parse(localStorage.getItem(CALENDAR_KEY) || "null");
    return stored && Array.isArray(stored.shows) ? stored : null;
  } catch (error) {
    return null;
  }
}

// On the edit page: remember the calendar; on the page after a delete: forget it.
function keepCalendar() {
  const field = document.querySelector("[data-calendar-feed]");
  if (field) {
    const shows = (field.dataset.calendarShows || "").split(" ").filter(Boolean);
    saveCalendar({
      feed: field.dataset.calendarFeed, edit: window.location.origin + window.location.pathname,
      shows, region: document.body.dataset.region || "",
    });
    localStorage.removeItem(PICKS_KEY);
  }
  if (document.querySelector("[data-calendar-deleted]")) localStorage.removeItem(CALENDAR_KEY);
}

function saveCalendar(calendar) {
  localStorage.setItem(CALENDAR_KEY, JSON.stringify(calendar));
}

function markMyShows() {
  const calendar = storedCalendar();
  if (!calendar) return;
  const mine = new Set(calendar.shows);
  // Listed shows and the show page's own mark; not links or buttons that carry a show id. A
  // result whose "+ My calendar" button already says so gets no second mark.
  for (const element of document.querySelectorAll("li[data-show], [data-my-calendar-mark]")) {
    const marked = element.querySelector(".mine");
    if (!mine.has(element.dataset.show)) {
      // Removed since (the button): the mark and the show page's link go.
      if (marked) {
        if (element.hasAttribute("data-my-calendar-mark")) element.hidden = true;
        element.querySelectorAll(".mine, .mine + a").forEach((made) => made.remove());
      }
      continue;
    }
    if (marked || element.querySelector("button.add-button:not(.small)")) continue;
    const mark = document.createElement("span");
    mark.className = "mine";
    mark.textContent = say("in_calendar");
    if (element.hasAttribute("data-my-calendar-mark")) {
      // A show page: the mark, and the way back to change the calendar.
      const edit = document.createElement("a");
      edit.href = calendar.edit;
      edit.textContent = say("change_calendar");
      element.append(mark, " ", edit);
      element.hidden = false;
    } else {
      (element.querySelector(".what") || element).append(" ", mark);
    }
  }
}

// "in 3 h 20 min": the same words as calfeed/render/page_text.py's countdown().
function countdownText(start, now) {
  const minutes = Math.max(1, Math.ceil((start - now) / 60000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days) return say("days", { days, hours });
  if (hours) return say("hours", { hours, minutes: minutes % 60 });
  return say("minutes", { minutes });
}

function updateCountdowns() {
  const now = Date.now();
  for (const item of document.querySelectorAll("li.airing[data-start]")) {
    const status = item.querySelector("[data-countdown]");
    const start = Date.parse(item.dataset.start);
    const end = Date.parse(item.dataset.end);
    const text = now < start ? countdownText(start, now) : now < end ? say("on_now") : say("aired");
    if (status.textContent !== text) status.textContent = text;
    status.classList.toggle("aired", now >= end);
  }
}

// The server groups the week by day in the zone the address names (tz=, which this script
// adds), else the region's; here it is regrouped by day in the browser's zone, each time
// written in it, so a late-night airing lands on the right day even on a shared link.
function regroupWeek() {
  const week = document.querySelector("[data-week]");
  if (!week) return;
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  // The week is cut at the region's midnights; ask for it cut at this browser's (tz=), unless
  // the address names a zone already (a shared link, or this very answer).
  const url = new URL(window.location.href);
  if (zone && zone !== week.dataset.weekZone && !url.searchParams.has("tz")) {
    url.searchParams.set("tz", zone);
    window.location.replace(url);
    return;
  }
  const dayKey = new Intl.DateTimeFormat("en-CA", {
    timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit",
  });
  const heading = new Intl.DateTimeFormat(LOCALE, {
    timeZone: zone, weekday: "long", month: "long", day: "numeric",
  });
  const clock = new Intl.DateTimeFormat(LOCALE, {
    timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short",
  });
  const items = Array.from(week.querySelectorAll("li.airing"));
  const byDay = new Map();
  // Every day the week touches in this zone, in order, even those with nothing on; a day only
  // partly in the week (the region's zone is another) says from or until when.
  const first = Date.parse(week.dataset.weekBegin);
  const end = Date.parse(week.dataset.weekEnd);
  const hourMinute = new Intl.DateTimeFormat(LOCALE, {
    timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });
  for (let at = first; at < end + 3600000; at += 3600000) {
    const when = Math.min(at, end - 1);
    const key = dayKey.format(when);
    if (!byDay.has(key)) byDay.set(key, { when, items: [], part: "" });
  }
  if (dayKey.format(first - 1) === dayKey.format(first)) {
    byDay.get(dayKey.format(first)).part = say("from", { time: hourMinute.format(first) });
  }
  if (dayKey.format(end) === dayKey.format(end - 1)) {
    byDay.get(dayKey.format(end - 1)).part = say("until", { time: hourMinute.format(end) });
  }
  for (const item of items) {
    // An airing whose day alone is known stays on that day, in every zone, with no time.
    if (item.dataset.date) {
      (byDay.get(item.dataset.date) || byDay.values().next().value).items.push(item);
      continue;
    }
    const start = Date.parse(item.dataset.start);
    const key = dayKey.format(start);
    byDay.get(key).items.push(item);
    item.querySelector("time[data-local-time]").textContent = clock.format(start);
  }
  const sections = [];
  let index = 0;
  for (const day of byDay.values()) {
    index += 1;
    const section = document.createElement("section");
    section.className = "day";
    section.setAttribute("aria-labelledby", `day-${index}`);
    const title = document.createElement("h2");
    title.id = `day-${index}`;
    title.textContent = heading.format(day.when) + day.part;
    section.append(title);
    if (day.items.length) {
      const list = document.createElement("ol");
      list.className = "airings";
      list.append(...day.items);
      section.append(list);
    }
    const none = document.createElement("p");
    none.className = "none";
    none.textContent = week.dataset.nothing;
    none.hidden = day.items.length > 0;
    section.append(none);
    sections.push(section);
  }
  week.replaceChildren(...sections);
}

// "Only my calendar": hides the rest; kept in the address's #mine, which never leaves the browser.
function myCalendarFilter() {
  const control = document.querySelector("[data-mine-filter]");
  const calendar = storedCalendar();
  if (!control || !calendar) return;
  control.hidden = false;
  const box = control.querySelector("input");
  const mine = new Set(calendar.shows);
  const apply = () => {
    for (const element of document.querySelectorAll("[data-week] [data-show], .breaks [data-show]")) {
      element.hidden = box.checked && !mine.has(element.dataset.show);
    }
    for (const day of document.querySelectorAll("[data-week] section.day")) {
      const shown = day.querySelectorAll("li.airing:not([hidden])").length;
      const none = day.querySelector("p.none");
      if (none) {
        none.hidden = shown > 0;
        none.textContent = box.checked ? say("nothing_mine")
          : document.querySelector("[data-week]").dataset.nothing;
      }
    }
    const hash = box.checked ? "#mine" : "";
    history.replaceState(null, "", window.location.pathname + window.location.search + hash);
    for (const link of document.querySelectorAll(".week-nav a")) {
      link.href = link.href.split("#")[0] + hash;
    }
  };
  box.checked = window.location.hash === "#mine";
  box.addEventListener("change", apply);
  apply();
}

// Search as one types: /search.json answers, and the results are built as DOM nodes (never
// HTML strings) in the same markup the server renders into [data-search-results].
function searchAsYouType() {
  const form = document.querySelector("form[data-search-form]");
  const box = document.querySelector("[data-search-results]");
  if (!form || !box) return;
  let timer = null;
  let controller = null;
  let asked = new URLSearchParams(new FormData(form)).toString();
  const run = async () => {
    const params = new URLSearchParams(new FormData(form));
    for (const [name, value] of Array.from(params)) if (!value) params.delete(name);
    if (params.toString() === asked) return;
    asked = params.toString();
    if (controller) controller.abort();
    if (!params.get("q")) { box.replaceChildren(); return; }
    controller = new AbortController();
    try {
      const response = await fetch(`${form.dataset.searchJson}?${asked}`,
                                   { signal: controller.signal });
      if (!response.ok) {
        box.replaceChildren(element("p", { class: "result-count", role: "status" },
                                    await errorText(response)));
        return;
      }
      showResults(box, await response.json());
      // The address names what is shown, so it can be shared or reloaded without script.
      if (new URL(form.action).pathname === window.location.pathname) {
        window.history.replaceState(null, "", `${form.action}?${asked}`);
      }
    } catch (error) {
      if (error.name !== "AbortError") throw error;
    }
  };
  const soon = () => { clearTimeout(timer); timer = setTimeout(run, 150); };
  form.querySelector("input[name=q]").addEventListener("input", soon);
  for (const select of form.querySelectorAll("select")) select.addEventListener("change", run);
}

function showResults(box, data) {
  const shown = data.shows.length;
  let text;
  const query = data.query;
  if (data.total === 0) text = say(data.release ? "none_here" : "none", { query });
  else if (data.total > shown) text = say("some", { shown, total: data.total, query });
  else text = say(data.total === 1 ? "one" : "many", { num: data.total, query });
  const list = element("ul", { class: "results" });
  for (const show of data.shows) {
    const item = element("li", { "data-show": show.id }, element("a", { href: show.url }, show.title));
    if (show.title_ja) item.append(" ", element("span", { class: "title-ja", lang: "ja" }, show.title_ja));
    const where = show.watchable ? show.releases.join(", ") : say("elsewhere", { region: data.region_name });
    item.append(" ", element("span", { class: "meta" }, show.season ? `${show.season} \u00b7 ${where}` : where));
    if (show.watchable) item.append(addForm(show.id, show.title, data.region, data.release));
    list.append(item);
  }
  box.replaceChildren(element("p", { class: "result-count", role: "status" }, text), list);
  labelButtons();
}

function element(name, attributes, ...children) {
  const made = document.createElement(name);
  for (const [key, value] of Object.entries(attributes)) made.setAttribute(key, value);
  made.append(...children);
  return made;
}

rememberedRegion();
keepCalendar();
regroupWeek();
localizeTimes();
autosubmit();
copyButtons();
markMyShows();
myCalendarFilter();
updateCountdowns();
if (document.querySelector("li.airing[data-start]")) setInterval(updateCountdowns, 30000);
searchAsYouType();
