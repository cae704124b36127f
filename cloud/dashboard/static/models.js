import { el, formatNumber, formatPercent, formatTime } from './dom.js';

function metric(metrics, name) {
  const value = metrics ? metrics[name] : undefined;
  return typeof value === 'number' ? value : null;
}

function modelActions(version, status, actions) {
  if (actions === null) return [];
  const button = (testid, text, onclick) =>
    el(
      'button',
      {
        type: 'button',
        'data-testid': `${testid}-${version}`,
        'aria-label': `${text} model ${version}`,
        onclick,
      },
      [text],
    );
  return [
    status === 'candidate' ? button('approve', 'Approve', () => actions.approve(version)) : null,
    button('rollout', 'Roll out', () => actions.rollOut(version)),
  ].filter((b) => b !== null);
}

/**
 * Registered models, newest first. Admins (`actions` not null) get Approve
 * for candidates and Roll out for every model.
 */
export function renderModels(tbody, models, actions) {
  if (models.length === 0) {
    tbody.replaceChildren(
      el('tr', {}, [el('td', { colspan: 7, class: 'muted' }, ['No models registered.'])]),
    );
    return;
  }
  tbody.replaceChildren(
    ...models.map((m) => {
      const version = String(m.version);
      const median = metric(m.metrics, 'medianTimeToAlarmS');
      return el('tr', { 'data-testid': `model-${version}` }, [
        el('th', { scope: 'row' }, [version]),
        el('td', {}, [String(m.status)]),
        el('td', {}, [formatTime(Date.parse(m.createdAt))]),
        el('td', {}, [formatPercent(metric(m.metrics, 'detectionRate'))]),
        el('td', {}, [median === null ? '—' : `${formatNumber(median, 0)} s`]),
        el('td', {}, [formatNumber(metric(m.metrics, 'falseAlarmsPerHour'), 2)]),
        el('td', {}, modelActions(version, String(m.status), actions)),
      ]);
    }),
  );
}

function rolloutItem(r) {
  const id = String(r.id);
  const devices = r.devices ?? [];
  const done = devices.filter((d) => d.status === 'installed').length;
  return el('li', { class: `rollout rollout-${String(r.state)}`, 'data-testid': `rollout-item-${id}` }, [
    el('h3', {}, [`${String(r.version)} `, el('span', { class: 'state' }, [String(r.state)])]),
    el('p', { class: 'muted' }, [
      `from ${r.previousVersion === null ? 'none' : String(r.previousVersion)} · canary ${formatPercent(r.canaryShare)} · started ${formatTime(r.startedAt)}`,
    ]),
    el('progress', {
      max: Math.max(1, devices.length),
      value: done,
      'aria-label': `Devices installed of rollout ${id}`,
    }),
    el('span', {}, [` ${done} of ${devices.length} installed`]),
    r.reason ? el('p', { class: 'warning' }, [String(r.reason)]) : null,
    el(
      'ul',
      { class: 'rollout-devices plain' },
      devices.map((d) =>
        el('li', { 'data-testid': `rollout-device-${id}-${String(d.deviceId)}` }, [
          d.canary ? el('span', { class: 'badge canary', title: 'canary device' }, ['canary']) : null,
          ` ${String(d.deviceId)}: `,
          el('strong', {}, [String(d.status)]),
          d.reason ? ` (${String(d.reason)})` : '',
        ]),
      ),
    ),
  ]);
}

export function renderRollouts(list, rollouts) {
  const sorted = [...rollouts.values()].sort((a, b) => b.startedAt - a.startedAt);
  if (sorted.length === 0) {
    list.replaceChildren(el('li', { class: 'muted' }, ['No rollouts yet.']));
    return;
  }
  list.replaceChildren(...sorted.map(rolloutItem));
}

export function renderDecisions(list, decisions) {
  if (decisions.length === 0) {
    list.replaceChildren(el('li', { class: 'muted' }, ['No decisions yet.']));
    return;
  }
  list.replaceChildren(
    ...decisions.map((d) =>
      el('li', { class: 'decision', 'data-testid': `decision-${String(d.id)}` }, [
        el('p', {}, [
          el('strong', {}, [String(d.action)]),
          ` after ${String(d.outcome)} on incident ${String(d.incidentId)} · ${formatTime(d.ts)}`,
        ]),
        el('p', { class: 'explanation' }, [String(d.explanation)]),
      ]),
    ),
  );
}

/** Active alerts only; the heading counts them. */
export function renderAlerts(list, heading, alerts) {
  const active = [...alerts.values()].filter((a) => a.active).sort((a, b) => b.ts - a.ts);
  heading.textContent = active.length === 0 ? 'Operator alerts' : `Operator alerts (${active.length})`;
  if (active.length === 0) {
    list.replaceChildren(el('li', { class: 'muted' }, ['No active alerts.']));
    return;
  }
  list.replaceChildren(
    ...active.map((a) =>
      el('li', { class: 'alert', 'data-testid': `alert-${String(a.id)}` }, [
        el('strong', {}, [String(a.rule)]),
        ` ${String(a.subject)}: ${String(a.message)} · ${formatTime(a.ts)}`,
      ]),
    ),
  );
}
