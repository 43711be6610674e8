// Small DOM helpers. Everything the service sends is put in the page as text (textContent), never
// parsed as HTML, so a hostile value in an event (a reason, an error message) cannot run script.

/** h('td', { class: 'x', dataset: { id } }, 'text', child) → an element. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name === 'onClick') element.addEventListener('click', value);
    else if (name === 'class') element.className = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof window.Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

export const byId = (id) => document.getElementById(id);

export function replaceRows(tbody, rows, emptyText, columns) {
  tbody.replaceChildren(
    ...(rows.length > 0 ? rows : [h('tr', { class: 'empty' }, h('td', { colspan: columns }, emptyText))]),
  );
}

export function setFacts(dl, facts) {
  dl.replaceChildren(
    ...facts
      .filter(([, value]) => value !== undefined)
      .flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value ?? '—')]),
  );
}

/** "3 min ago" style, from an ISO time and the server's clock (generatedAt), so a skewed browser clock does not lie. */
export function ago(iso, nowMs) {
  if (!iso) return '—';
  const seconds = Math.max(0, Math.round((nowMs - Date.parse(iso)) / 1000));
  return `${duration(seconds * 1000)} ago`;
}

/** "in 4 min" for a time still ahead; "due" once it has passed. */
export function until(iso, nowMs) {
  if (!iso) return '—';
  const ms = Date.parse(iso) - nowMs;
  return ms <= 0 ? 'due' : `in ${duration(ms)}`;
}

export function duration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 90) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes} min`;
  const hours = Math.round(minutes / 6) / 10;
  if (hours < 48) return `${hours} h`;
  return `${Math.round(hours / 24)} d`;
}

export function time(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z');
}

export function percent(fraction) {
  if (fraction === null || fraction === undefined || fraction === '') return '—';
  const value = Number(fraction) * 100;
  return Number.isFinite(value) ? `${value.toFixed(1)} %` : '—';
}

/** Short form of a UUID for tables; the full id is in the title and the timeline. */
export const shortId = (id) => (id.length > 13 ? `${id.slice(0, 8)}…` : id);
