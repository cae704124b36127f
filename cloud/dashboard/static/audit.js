import { el, formatTime } from './dom.js';

/** Who did what, newest first: acknowledgements, outcomes, threshold changes, approvals, rollouts. */
export function renderAudit(list, entries) {
  if (entries.length === 0) {
    list.replaceChildren(el('li', { class: 'muted' }, ['Nothing recorded yet.']));
    return;
  }
  list.replaceChildren(
    ...entries.map((e) =>
      el('li', { 'data-testid': `audit-${String(e.id)}` }, [
        el('time', {}, [formatTime(e.ts)]),
        ' ',
        el('strong', {}, [String(e.actor)]),
        ` ${String(e.action)} ${String(e.subject)}`,
        e.detail ? ` · ${String(e.detail)}` : '',
      ]),
    ),
  );
}
