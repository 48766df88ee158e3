// calfeed: the "+ My calendar" buttons and the calendar form's filter, on top of pages that
// work without script (small POST forms, a GET filter). Uses calfeed.js's helpers.
"use strict";

// --- "+ My calendar" ------------------------------------------------------------------------
// The buttons are forms posting to /calendars/mine/shows; the server adds to the calendar whose
// edit key this browser keeps in an HttpOnly cookie, or keeps the show as a pick. Here they are
// sent with fetch, and the answer (JSON) says what was done, with an undo.

function buttonState(showId) {
  const calendar = storedCalendar();
  if (calendar && calendar.shows.includes(showId)) return "in";
  if (!calendar && storedPicks().includes(showId)) return "picked";
  return "out";
}

function labelButtons() {
  for (const button of document.querySelectorAll("button.add-button[data-show]")) {
    const state = buttonState(button.dataset.show);
    const title = button.dataset.title;
    const small = button.classList.contains("small");
    button.dataset.state = state;
    if (state === "in") {
      button.textContent = small ? "\u2713" : say("in_calendar");
      button.setAttribute("aria-label", say("in_label", { title }));
    } else if (state === "picked") {
      button.textContent = small ? "\u2713" : say("picked");
      button.setAttribute("aria-label", say("picked_label", { title }));
    } else {
      button.replaceChildren(element("span", { "aria-hidden": "true" }, "+"),
                             small ? "" : ` ${say("my_calendar")}`);
      button.setAttribute("aria-label", say("add_label", { title }));
    }
  }
}

async function sendChoice(form, button, action, release) {
  const fields = new URLSearchParams();
  fields.set("show", button.dataset.show);
  const region = form.querySelector("input[name=region]");
  if (region) fields.set("region", region.value);
  if (release) fields.set("release", release);
  const url = new URL(form.action);
  if (action === "remove") url.pathname += "/remove";
  const response = await fetch(url, {
    method: "POST", body: fields, headers: { Accept: "application/json" },
    credentials: "same-origin",
  });
  if (!response.ok) throw new Error(await errorText(response));
  return response.json();
}

function remember(answer) {
  if (answer.calendar) {
    const calendar = storedCalendar();
    if (calendar) saveCalendar({ ...calendar, shows: answer.shows });
  } else {
    localStorage.setItem(PICKS_KEY, JSON.stringify(answer.picks));
  }
}

function statusFor(button) {
  let status = button.nextElementSibling;
  if (!status || !status.classList.contains("add-status")) {
    status = element("span", { class: "add-status", role: "status" });
    button.after(status);
  }
  return status;
}

// What was done, in the page's words (calfeed.js's WORDS).
const SAID = { added: "added", removed: "removed", picked: "picked_for", unpicked: "unpicked" };

function tell(form, button, answer) {
  const status = statusFor(button);
  const parts = [SAID[answer.done] ? say(SAID[answer.done]) : answer.done];
  if (answer.new_url && answer.picks.length) {
    parts.push(" \u00b7 ", element("a", { href: answer.new_url },
      say(answer.picks.length === 1 ? "make_one" : "make_many", { num: answer.picks.length })));
  }
  const undo = element("button", { type: "button", class: "undo" }, say("undo"));
  const back = answer.undo || { action: answer.done === "unpicked" ? "add" : "remove" };
  undo.addEventListener("click", () => choose(form, button, back.action, back.release));
  parts.push(" ", undo);
  status.replaceChildren(...parts);
}

async function choose(form, button, action, release) {
  try {
    const answer = await sendChoice(form, button, action, release);
    remember(answer);
    labelButtons();
    markMyShows();
    tell(form, button, answer);
  } catch (error) {
    statusFor(button).textContent = error.message;
  }
}

function addButtons() {
  labelButtons();
  // One listener for every such form, those the search lists later too.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    const button = event.submitter && event.submitter.closest("button.add-button");
    if (!form.matches("form[data-add-form]") || !button) return;
    event.preventDefault();
    const release = form.querySelector("input[name=release]");
    const action = button.dataset.state === "in" || button.dataset.state === "picked"
      ? "remove" : "add";
    choose(form, button, action, action === "add" && release ? release.value : "");
  });
}

// The same form as the server's _add_button.html, for results the script lists.
function addForm(showId, title, region, release) {
  const form = element("form", { class: "add-form", method: "post", action: "/calendars/mine/shows",
                                 "data-add-form": "" },
    element("input", { type: "hidden", name: "show", value: showId }),
    element("input", { type: "hidden", name: "region", value: region.toLowerCase() }));
  if (release) form.append(element("input", { type: "hidden", name: "release", value: release }));
  form.append(element("button", { type: "submit", class: "add-button", "data-show": showId,
                                  "data-title": title }));
  return form;
}

// --- The calendar form --------------------------------------------------------------------
// Only a ticked show has a platform menu, so only chosen shows are sent: the page names the
// other shows' platforms (data-releases holds their ids) and the menu is made on a tick. The
// filter lists matches from /calendars/shows.json as one types (the search's matching).

function platformFollowsTick(row) {
  const box = row.querySelector("input[type=checkbox]");
  let menu = row.querySelector("select");
  const named = row.querySelector(".platform[data-releases]");
  if (!menu && box.checked && named) {
    const ids = named.dataset.releases.split(" ");
    let names = named.textContent.split(" \u00b7 ");
    if (names.length !== ids.length) names = ids;
    const title = row.querySelector("label").firstChild.textContent.trim();
    menu = element("select", { name: "platform", "aria-label": say("where_label", { title }) },
      element("option", { value: `${box.value}:earliest` }, say("earliest")));
    ids.forEach((id, index) => menu.append(element("option", { value: `${box.value}:${id}` }, names[index])));
    named.replaceWith(menu);
  }
  if (menu) menu.disabled = !box.checked;
}

function choiceRow(show) {
  const id = `show-${show.id}`;
  // On a Japanese page the Japanese title leads, as the form's own rows have it.
  const [title, other, otherLang] = document.documentElement.lang === "ja" && show.title_ja
    ? [show.title_ja, show.title, "en"] : [show.title, show.title_ja, "ja"];
  const label = element("label", { for: id }, title);
  if (other) label.append(" ", element("span", { class: "title-other", lang: otherLang }, other));
  const row = element("li", { class: "choice" },
    element("input", { type: "checkbox", id, name: "show", value: show.id }), " ", label);
  if (show.releases.length) {
    const named = element("span", { class: "platform" },
                          show.releases.map(([, name]) => name).join(" \u00b7 "));
    if (show.releases.length > 1) named.dataset.releases = show.releases.map(([release]) => release).join(" ");
    row.append(" ", named);
  }
  return row;
}

function calendarForm() {
  const form = document.querySelector("form[data-calendar-form]");
  if (!form) return;
  const chosen = form.querySelector("[data-group=chosen]");
  const found = form.querySelector("[data-group=found]");
  const foundList = found.querySelector("ul");
  const airing = form.querySelector("[data-group=airing]");
  const airingList = airing.querySelector("ul");
  const box = form.querySelector("input[data-filter]");
  form.addEventListener("change", (event) => {
    const row = event.target.closest("li.choice");
    if (row) platformFollowsTick(row);
    // A ticked show joins the calendar's group, so it stays when the filter changes.
    if (row && event.target.checked && !chosen.contains(row)) {
      chosen.append(row);
      chosen.previousElementSibling.hidden = false;
    }
  });
  for (const row of form.querySelectorAll("li.choice")) platformFollowsTick(row);
  const region = form.querySelector("[data-refilter]");
  region.addEventListener("change", () => form.requestSubmit(form.querySelector("[data-filter-button]")));
  let controller = null;
  let timer = null;
  const run = async () => {
    const query = box.value.trim();
    if (controller) controller.abort();
    // Rows the filter borrowed from the "on air" list go back there.
    for (const row of foundList.querySelectorAll("li[data-home=airing]")) airingList.append(row);
    foundList.replaceChildren();
    found.hidden = !query;
    airing.hidden = Boolean(query);
    if (!query) return;
    controller = new AbortController();
    const heading = found.querySelector("[data-found-heading]");
    try {
      const response = await fetch(`${box.dataset.filter}&q=${encodeURIComponent(query)}`,
                                   { signal: controller.signal });
      if (!response.ok) { heading.textContent = await errorText(response); return; }
      const data = await response.json();
      const shown = data.shows.length;
      const region = form.querySelector("[data-refilter] option:checked").textContent;
      heading.textContent = data.matched === 0 ? say("no_match", { region, query })
        : data.matched > shown ? say("some_match", { shown, total: data.matched, query })
        : say("matching", { query });
      for (const show of data.shows) {
        const there = document.getElementById(`show-${show.id}`);
        if (there && chosen.contains(there)) continue;
        if (there) {
          const row = there.closest("li.choice");
          row.dataset.home = "airing";
          foundList.append(row);
        } else {
          foundList.append(choiceRow(show));
        }
      }
    } catch (error) {
      if (error.name !== "AbortError") throw error;
    }
  };
  box.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 200); });
  // Enter in the box filters here instead of reloading the page.
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); clearTimeout(timer); run(); }
  });
}

addButtons();
calendarForm();
