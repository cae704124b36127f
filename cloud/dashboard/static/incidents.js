import { el, formatTime, levelBadge } from './dom.js';

export const OUTCOMES = ['fire', 'false-alarm', 'test', 'unknown'];
const STATE_ORDER = { open: 0, acknowledged: 1, resolved: 2 };

function actionList(actions) {
  if (actions.length === 0) return el('p', { class: 'muted' }, ['No actions yet.']);
  return el(
    'ol',
    { class: 'actions' },
    actions.map((a) =>
      el('li', {}, [
        el('time', {}, [formatTime(a.ts)]),
        ' ',
        el('strong', {}, [String(a.kind)]),
        ' ',
        String(a.detail),
      ]),
    ),
  );
}

function controls(incident, handlers, chosen) {
  const id = String(incident.id);
  const parts = [];
  if (incident.state === 'open') {
    parts.push(
      el(
        'button',
        {
          type: 'button',
          'data-testid': `ack-${id}`,
          'aria-label': `Acknowledge incident ${id} on ${String(incident.deviceId)}`,
          onclick: () => handlers.acknowledge(id),
        },
        ['Acknowledge'],
      ),
    );
  }
  if (incident.state !== 'resolved') {
    const select = el(
      'select',
      {
        'data-testid': `outcome-${id}`,
        'aria-label': `Outcome of incident ${id}`,
        onchange: (event) => handlers.choose(id, event.target.value),
      },
      OUTCOMES.map((o) => el('option', { value: o, selected: o === chosen }, [o])),
    );
    parts.push(
      select,
      el(
        'button',
        {
          type: 'button',
          'data-testid': `resolve-${id}`,
          'aria-label': `Resolve incident ${id}`,
          onclick: () => handlers.resolve(id, select.value),
        },
        ['Resolve'],
      ),
    );
  }
  return el('div', { class: 'controls' }, parts);
}

function incidentItem(incident, actions, handlers, chosen, canOperate) {
  const id = String(incident.id);
  const who = incident.acknowledgedBy ? ` by ${String(incident.acknowledgedBy)}` : '';
  return el('li', { class: `incident state-${String(incident.state)}`, 'data-testid': `incident-${id}` }, [
    el('div', { class: 'incident-head' }, [
      levelBadge(incident.level, `incident-level-${id}`),
      el('h3', {}, [`${String(incident.deviceId)} · ${String(incident.zone)}`]),
      el('span', { class: 'state', 'data-testid': `incident-state-${id}` }, [
        String(incident.state) + (incident.state === 'acknowledged' ? who : ''),
        incident.outcome ? ` (${String(incident.outcome)})` : '',
      ]),
    ]),
    el('p', { class: 'muted' }, [
      `opened ${formatTime(incident.openedAt)} · ${Number(incident.assessments) || 0} assessments · id ${id}`,
    ]),
    el(
      'ul',
      { class: 'reasons' },
      (incident.reasons ?? []).map((r) => el('li', {}, [String(r)])),
    ),
    el('details', {}, [el('summary', {}, [`Actions (${actions.length})`]), actionList(actions)]),
    canOperate ? controls(incident, handlers, chosen) : null,
  ]);
}

/**
 * Open incidents first, then acknowledged, then resolved; newest first
 * within each. Acknowledge and Resolve are shown to operators and admins only.
 */
export function renderIncidents(
  list,
  incidents,
  actionsOf,
  handlers,
  chosenOutcome,
  showResolved,
  canOperate,
) {
  const shown = [...incidents.values()]
    .filter((i) => showResolved || i.state !== 'resolved')
    .sort((a, b) => (STATE_ORDER[a.state] ?? 3) - (STATE_ORDER[b.state] ?? 3) || b.openedAt - a.openedAt);
  if (shown.length === 0) {
    list.replaceChildren(el('li', { class: 'muted' }, ['No incidents.']));
    return;
  }
  list.replaceChildren(
    ...shown.map((i) =>
      incidentItem(i, actionsOf(i.id), handlers, chosenOutcome.get(i.id) ?? 'false-alarm', canOperate),
    ),
  );
}

export function renderAssessments(list, assessments) {
  if (assessments.length === 0) {
    list.replaceChildren(el('li', { class: 'muted' }, ['None since this page opened.']));
    return;
  }
  list.replaceChildren(
    ...assessments.map((a) =>
      el('li', {}, [
        levelBadge(a.level),
        ` ${String(a.deviceId)} · score ${(Number(a.score) || 0).toFixed(2)} · ${formatTime(a.ts)} · `,
        (a.reasons ?? []).map(String).join('; '),
      ]),
    ),
  );
}
