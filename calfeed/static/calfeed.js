// calfeed: a little script on top of pages that are complete without it.
"use strict";

const REGION_KEY = "calfeed.region";

// Show each time in the browser's own zone, with the zone's abbreviation.
function localizeTimes() {
  const format = new Intl.DateTimeFormat(undefined, {
    weekday: "long", year: "numeric", month: "long", day: "numeric",
    hour: "numeric", minute: "2-digit", timeZoneName: "short",
  });
  for (const element of document.querySelectorAll("time[data-local]")) {
    element.textContent = format.format(new Date(element.getAttribute("datetime")));
  }
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  for (const note of document.querySelectorAll("[data-zone-note]")) {
    note.textContent = `Times in your time zone, ${zone}.`;
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
        status.textContent = "Copied";
      } catch (error) {
        status.textContent = "Select the address and copy it";
      }
    });
  }
}

rememberedRegion();
localizeTimes();
autosubmit();
copyButtons();
