"""The panel page's own styling and script, loaded once into its webview.

Pure strings (no Qt): the styling follows Anki's theme variables (light and night mode);
the script turns clicks on ``data-lp-cmd`` elements into ``pycmd("lp:" + JSON)`` and
replaces the page's content on each refresh (``lpRender``).
"""

from __future__ import annotations

#: Styling that follows Anki's theme variables (light and night mode).
PANEL_CSS = """
body { margin: 0; overflow-x: hidden; }
#lp-root, #lp-root * { box-sizing: border-box; }
#lp-root { padding: 12px 16px; color: var(--fg); max-width: 1100px; }
h1 { font-size: 1.4em; margin: 0 0 4px; }
h2 { font-size: 1.1em; margin: 18px 0 6px; }
.lp-head { display: flex; align-items: baseline; justify-content: space-between; gap: 8px; }
.lp-headline { font-size: 1.1em; font-weight: 600; margin: 0 0 10px; }
.lp-muted { color: var(--fg-subtle); }
.lp-warning { border-left: 4px solid var(--accent-danger, #d33); padding: 4px 8px;
  background: var(--canvas-elevated); }
.lp-problem, .lp-offer { border: 1px solid var(--border); border-radius: 6px;
  padding: 6px 10px; margin: 6px 0; background: var(--canvas-elevated); }
.lp-problem { border-color: var(--accent-danger, #d33); }
.lp-tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr));
  gap: 8px; margin: 8px 0; }
.lp-tile { border: 1px solid var(--border); border-radius: 6px; padding: 6px 8px;
  background: var(--canvas-elevated); }
.lp-label { font-size: 0.8em; color: var(--fg-subtle); }
.lp-value { font-weight: 600; }
.lp-next { font-style: italic; }
.lp-chart svg { max-width: 100%; height: auto; color: var(--fg); }
.lp-forms { display: flex; flex-direction: column; gap: 6px; margin: 10px 0; }
.lp-form select { max-width: min(240px, 100%); }
.lp-form input[type=text] { max-width: 100%; }
.lp-form input[type=number] { width: 5em; }
.lp-realloc input[type=number] { width: 4.2em; }
.lp-realloc { margin: 6px 0 2px 1.2em; font-size: 0.9em; }
.lp-table { border-collapse: collapse; width: 100%; font-size: 0.82em;
  font-variant-numeric: tabular-nums; }
.lp-table th, .lp-table td { padding: 3px 5px; text-align: right; vertical-align: top;
  border-bottom: 1px solid var(--border-subtle, var(--border)); }
.lp-table th { font-weight: 600; color: var(--fg-subtle); white-space: nowrap;
  border-bottom: 1px solid var(--border); }
.lp-table td { white-space: nowrap; }
.lp-table .l { text-align: left; }
.lp-table-wrap { overflow-x: auto; }
.lp-table td.lp-name { white-space: normal; min-width: 12em; }
.lp-provider { color: var(--fg-subtle); font-weight: normal; }
.lp-table .lp-browse { color: var(--fg); font-weight: 600; text-decoration: none; }
.lp-table .lp-browse:hover { text-decoration: underline; }
.lp-table tr.lp-behind td:first-child { box-shadow: inset 3px 0 var(--accent-danger, #d55); }
.lp-table tr.lp-ahead td:first-child, .lp-table tr.lp-on-track td:first-child {
  box-shadow: inset 3px 0 var(--accent-card, #4a8); }
.lp-table tr.lp-resource td { color: var(--fg-subtle); }
.lp-table tr.lp-total td { font-weight: 600; border-bottom: none;
  border-top: 1px solid var(--border); }
.lp-revised { text-decoration: underline dotted; cursor: help; }
.lp-open { color: var(--fg); text-decoration: underline dotted; cursor: pointer; }
.lp-hint { margin: -2px 0 6px; font-size: 0.85em; }
.lp-course { border-bottom: 1px solid var(--border-subtle, var(--border)); padding: 4px 0; }
.lp-course summary { cursor: pointer; }
.lp-course-title { font-weight: 600; }
.lp-course-progress { display: block; font-size: 0.85em; color: var(--fg-subtle);
  margin-left: 1.2em; }
.lp-bar { display: inline-block; width: 120px; height: 8px; margin-left: 8px;
  border-radius: 4px; background: var(--border); vertical-align: middle; overflow: hidden; }
.lp-bar span { display: block; height: 100%; background: var(--accent-card, #4a8); }
.lp-behind .lp-bar span { background: var(--accent-danger, #d55); }
.lp-trim { columns: 2; margin: 4px 0; }
.lp-lessons { list-style: none; padding-left: 1.2em; margin: 4px 0; columns: 2; }
.lp-memory { margin: 2px 0 2px 1.2em; font-size: 0.85em; }
.lp-history { margin: 4px 0 2px 1.2em; font-size: 0.85em; }
.lp-history ul { margin: 2px 0; padding-left: 1.2em; }
#lp-updating { display: none; position: fixed; top: 6px; right: 10px; font-size: 0.8em;
  color: var(--fg-subtle); background: var(--canvas-elevated); padding: 1px 8px;
  border: 1px solid var(--border); border-radius: 10px; z-index: 5; }
body[data-lp-updating="1"] #lp-updating { display: block; }
"""

# Clicks on [data-lp-cmd] become pycmd("lp:" + JSON); forms contribute their fields.
# lpRender keeps open course sections, and what the learner is typing, across refreshes.
PANEL_JS = """
function lpRender(html) {
  const root = document.getElementById('lp-root');
  const open = new Set([...root.querySelectorAll('details[open]')]
      .map(d => d.dataset.lpCourse));
  const active = document.activeElement;
  const typing = active && active.id && root.contains(active) && 'value' in active
      ? [active.id, active.value] : null;
  root.innerHTML = html;
  root.querySelectorAll('details[data-lp-course]').forEach(d => {
    if (open.has(d.dataset.lpCourse)) d.open = true;
  });
  if (typing) {
    const again = document.getElementById(typing[0]);
    if (again) { again.value = typing[1]; again.focus(); }
  }
  document.body.dataset.lpUpdating = '0';
  document.body.dataset.lpRendered = String(Number(document.body.dataset.lpRendered || 0) + 1);
}
function lpOpenCourse(id) {
  const d = document.querySelector('details[data-lp-course="' + CSS.escape(id) + '"]');
  if (!d) return;
  d.open = true;
  d.scrollIntoView({block: 'start'});
}
document.addEventListener('click', function (evt) {
  const opener = evt.target.closest('[data-lp-open]');
  if (opener) { evt.preventDefault(); lpOpenCourse(opener.dataset.lpOpen); return; }
  const el = evt.target.closest('[data-lp-cmd]');
  if (!el) return;
  evt.preventDefault();
  const msg = JSON.parse(el.dataset.lpCmd);
  if (el.dataset.lpForm) {
    const form = document.querySelector(
        'form[data-lp-form="' + CSS.escape(el.dataset.lpForm) + '"]');
    new FormData(form).forEach((value, key) => { msg[key] = String(value); });
  }
  pycmd('lp:' + JSON.stringify(msg));
});
"""

#: Marks the figures shown at once (from the cache) until fresh ones arrive; also
#: records what was first shown, so the desktop test can tell a cached start from a
#: fast refresh.
FIRST_SHOWN_JS = (
    "document.body.dataset.lpUpdating = '1';"
    "window.lpFirstHeadline = (document.getElementById('lp-headline') || {}).textContent"
    " || '';"
)
