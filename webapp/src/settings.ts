// The Settings page: reminders on/off, lead time, quiet hours and the time zone.
// Saved through the same commands as the chat (/reminders …, /timezone …).
import { act, load } from "./api";
import { h } from "./dom";
import { mainButton } from "./telegram";
import type { Shell } from "./shell";
import type { SettingsView } from "./types";

const LEADS = [0, 5, 10, 15, 30, 45, 60, 90, 120];

export async function settingsPage(shell: Shell): Promise<void> {
  const settings = await load<SettingsView>("settings");
  if (!settings) return;
  const enabled = h("input", { type: "checkbox", id: "enabled", checked: settings.enabled }) as HTMLInputElement;
  const lead = h(
    "select",
    { id: "lead" },
    ...[...new Set([...LEADS, settings.lead_minutes])]
      .sort((a, b) => a - b)
      .map((n) => h("option", { value: String(n), selected: n === settings.lead_minutes }, n ? `${n} min before` : "When it starts")),
  ) as HTMLSelectElement;
  const quietOn = h("input", { type: "checkbox", id: "quiet-on", checked: settings.quiet !== null }) as HTMLInputElement;
  const quietStart = h("input", { type: "time", id: "quiet-start", value: settings.quiet?.start ?? "22:00" }) as HTMLInputElement;
  const quietEnd = h("input", { type: "time", id: "quiet-end", value: settings.quiet?.end ?? "08:00" }) as HTMLInputElement;
  const zone = h("input", { type: "text", id: "timezone", value: settings.timezone, autocomplete: "off", spellcheck: "false" }) as HTMLInputElement;
  const quietTimes = h("div", { class: "row times" }, quietStart, h("span", {}, "to"), quietEnd);

  const changes = (): Record<string, unknown> => {
    const change: Record<string, unknown> = {};
    if (enabled.checked !== settings.enabled) change.enabled = enabled.checked;
    if (Number(lead.value) !== settings.lead_minutes) change.lead_minutes = Number(lead.value);
    const quiet = quietOn.checked ? { start: quietStart.value, end: quietEnd.value } : null;
    if (JSON.stringify(quiet) !== JSON.stringify(settings.quiet)) change.quiet = quiet;
    if (zone.value.trim() && zone.value.trim() !== settings.timezone) change.timezone = zone.value.trim();
    return change;
  };
  const save = async () => {
    const change = changes();
    if (!Object.keys(change).length) return;
    if (await shell.run(() => act("settings", change))) await settingsPage(shell);
  };
  const saveButton = h("button", { class: "primary", id: "save", disabled: true, onclick: () => void save() }, "Save");
  const refresh = () => {
    const dirty = Object.keys(changes()).length > 0;
    (saveButton as HTMLButtonElement).disabled = !dirty;
    quietTimes.hidden = !quietOn.checked;
    mainButton.set(dirty ? "Save settings" : null, dirty ? () => void save() : null);
  };
  for (const input of [enabled, lead, quietOn, quietStart, quietEnd, zone]) {
    input.addEventListener("input", refresh);
    input.addEventListener("change", refresh);
  }
  shell.show(
    h(
      "form",
      { class: "settings", onsubmit: (e: Event) => (e.preventDefault(), void save()) },
      h(
        "section",
        { class: "card" },
        h("h2", {}, "Reminders"),
        h("label", { class: "row switch" }, h("span", {}, "Remind me before sessions"), enabled),
        settings.paused ? h("p", { class: "hint" }, "⏸ Paused for now — saving “on” resumes them.") : null,
        h("label", { class: "field" }, h("span", {}, "When"), lead),
      ),
      h(
        "section",
        { class: "card" },
        h("h2", {}, "Quiet hours"),
        h("label", { class: "row switch" }, h("span", {}, "No reminders at night"), quietOn),
        quietTimes,
        h("p", { class: "hint" }, "Reminders due in quiet hours come when they end."),
      ),
      h(
        "section",
        { class: "card" },
        h("h2", {}, "Time zone"),
        h("label", { class: "field" }, h("span", {}, "A city, a zone or an offset"), zone),
        h("p", { class: "hint" }, "e.g. Lisbon, America/New_York or UTC-3. Sessions and reminders follow it."),
      ),
      saveButton,
    ),
  );
  refresh();
}
