/* global document, window, EventSource, requestAnimationFrame */
import { api, enc } from './api.js';
import { renderAudit } from './audit.js';
import { DeviceCharts } from './charts.js';
import { formatPercent, formatTime, isBase64 } from './dom.js';
import { renderFleet } from './fleet.js';
import { renderAssessments, renderIncidents } from './incidents.js';
import { renderAlerts, renderDecisions, renderModels, renderRollouts } from './models.js';
import { abilities, signedIn } from './session.js';

const EVENT_TYPES = ['device', 'incident', 'assessment', 'action', 'rollout', 'decision', 'alert', 'audit'];
const HISTORY_POINTS = 3600;
const $ = (id) => document.getElementById(id);

const state = {
  devices: new Map(),
  incidents: new Map(),
  actions: new Map(),
  assessments: [],
  models: [],
  rollouts: new Map(),
  decisions: [],
  alerts: new Map(),
  audit: [],
  can: abilities(''),
  selected: null,
  history: [],
  chosenOutcome: new Map(),
};

const charts = new DeviceCharts($('chart-probability'), $('chart-channel'));
const dirty = new Set();
let frame = 0;

function notify(message, ok = false) {
  const notice = $('notice');
  notice.textContent = message;
  notice.className = ok ? 'notice ok' : 'notice';
  notice.hidden = message === '';
}

const RENDER = {
  fleet: () => renderFleet($('fleet'), state.devices, state.selected, select),
  device: renderDevice,
  incidents: () =>
    renderIncidents(
      $('incidents'),
      state.incidents,
      (id) => state.actions.get(id) ?? [],
      { acknowledge, resolve, choose: (id, outcome) => state.chosenOutcome.set(id, outcome) },
      state.chosenOutcome,
      $('show-resolved').checked,
      state.can.operate,
    ),
  assessments: () => renderAssessments($('assessments'), state.assessments),
  models: () =>
    renderModels($('models').tBodies[0], state.models, state.can.administer ? { rollOut, approve } : null),
  rollouts: () => renderRollouts($('rollouts'), state.rollouts),
  decisions: () => renderDecisions($('decisions'), state.decisions),
  alerts: () => renderAlerts($('alerts'), $('alerts-heading'), state.alerts),
  audit: () => renderAudit($('audit'), state.audit),
};

/** Redraws the named sections once per frame, however many events arrived. */
function schedule(...sections) {
  for (const s of sections) dirty.add(s);
  if (frame !== 0) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    const now = [...dirty];
    dirty.clear();
    for (const s of now) RENDER[s]();
  });
}

function channelsOf(points) {
  const names = new Set();
  for (const p of points) for (const name of Object.keys(p.levels ?? {})) names.add(name);
  return [...names].sort();
}

function renderDevice() {
  const device = state.selected === null ? undefined : state.devices.get(state.selected);
  $('device-empty').hidden = device !== undefined;
  $('device-detail').hidden = device === undefined;
  if (device === undefined) return;
  $('device-heading').textContent = `Device ${String(device.deviceId)}`;
  const img = $('device-thermal');
  if (isBase64(device.thermalPngBase64)) {
    img.src = `data:image/png;base64,${device.thermalPngBase64}`;
    img.alt = `Thermal image of ${String(device.deviceId)}`;
    img.hidden = false;
    $('device-thermal-caption').textContent = `Newest thermal image of ${String(device.deviceId)}`;
  } else {
    img.removeAttribute('src');
    img.hidden = true;
    $('device-thermal-caption').textContent = 'No thermal image yet.';
  }
  const select = $('channel');
  const names = channelsOf(state.history);
  const current = select.value || (names.includes('temp') ? 'temp' : names[0]);
  if (select.options.length !== names.length || names.some((n, i) => select.options[i].value !== n)) {
    select.replaceChildren(...names.map((n) => new window.Option(n, n, false, n === current)));
  }
  const last = charts.update(state.history, select.value || current || 'temp');
  $('chart-latest').textContent =
    last === undefined
      ? 'No points yet.'
      : `Newest point: ${formatPercent(last.probability)} at ${formatTime(last.ts)}`;
}

/** A device update as a history point: on the same (wall) clock as the history, never before its newest point. */
function appendLivePoint(device) {
  const last = state.history[state.history.length - 1];
  const point = { ts: device.lastSeen, probability: device.probability, levels: device.levels };
  if (last !== undefined && point.ts <= last.ts) {
    state.history[state.history.length - 1] = { ...point, ts: last.ts };
    return;
  }
  state.history.push(point);
  if (state.history.length > HISTORY_POINTS) state.history.shift();
}

async function select(deviceId) {
  state.selected = deviceId;
  state.history = [];
  charts.clear();
  schedule('fleet', 'device');
  try {
    const { points } = await api(`/v1/devices/${enc(deviceId)}/history`);
    if (state.selected !== deviceId) return;
    state.history = points.slice(-HISTORY_POINTS);
    schedule('device');
  } catch (error) {
    notify(`Could not load the history of ${deviceId}: ${error.message}`);
  }
}

async function acknowledge(id) {
  try {
    const { incident } = await api(`/v1/incidents/${enc(id)}/acknowledge`, {});
    onIncident(incident);
    notify(`Incident ${id} acknowledged.`, true);
  } catch (error) {
    notify(`Could not acknowledge incident ${id}: ${error.message}`);
  }
}

async function resolve(id, outcome) {
  try {
    const { incident } = await api(`/v1/incidents/${enc(id)}/resolve`, { outcome });
    onIncident(incident);
    notify(`Incident ${id} resolved as ${outcome}.`, true);
  } catch (error) {
    notify(`Could not resolve incident ${id}: ${error.message}`);
  }
}

async function rollOut(version) {
  const text = $('canary-share').value.trim();
  const percent = Number(text);
  const canaryShare =
    text !== '' && Number.isFinite(percent) ? Math.min(1, Math.max(0, percent / 100)) : undefined;
  try {
    const { rollout } = await api('/v1/rollouts', { version, canaryShare });
    state.rollouts.set(rollout.id, rollout);
    schedule('rollouts');
    notify(`Rollout of ${version} started.`, true);
  } catch (error) {
    notify(`Could not roll out ${version}: ${error.message}`);
  }
}

async function refreshModels() {
  const { models } = await api('/v1/models');
  state.models = models;
  schedule('models');
}

async function approve(version) {
  try {
    await api(`/v1/models/${enc(version)}/approve`, { reason: 'approved on the dashboard after review' });
    await refreshModels();
    notify(`Model ${version} approved.`, true);
  } catch (error) {
    notify(`Could not approve ${version}: ${error.message}`);
  }
}

function onIncident(incident) {
  const known = state.incidents.get(incident.id);
  if (known === undefined || known.updatedAt <= incident.updatedAt)
    state.incidents.set(incident.id, incident);
  schedule('incidents');
}

function onAction(action) {
  const list = state.actions.get(action.incidentId) ?? [];
  if (!list.some((a) => a.id === action.id)) list.push(action);
  state.actions.set(action.incidentId, list);
  schedule('incidents');
}

const HANDLERS = {
  device: ({ device }) => {
    state.devices.set(device.deviceId, device);
    if (device.deviceId === state.selected) {
      appendLivePoint(device);
      schedule('device');
    }
    schedule('fleet');
  },
  incident: ({ incident }) => onIncident(incident),
  action: ({ action }) => onAction(action),
  assessment: ({ assessment }) => {
    state.assessments = [assessment, ...state.assessments].slice(0, 10);
    schedule('assessments');
  },
  rollout: ({ rollout }) => {
    state.rollouts.set(rollout.id, rollout);
    schedule('rollouts');
  },
  decision: ({ decision }) => {
    state.decisions = [decision, ...state.decisions.filter((d) => d.id !== decision.id)];
    schedule('decisions');
  },
  alert: ({ alert }) => {
    state.alerts.set(alert.id, alert);
    schedule('alerts');
  },
  audit: ({ entry }) => {
    state.audit = [entry, ...state.audit.filter((e) => e.id !== entry.id)].slice(0, 200);
    schedule('audit');
    // A model's status changed somewhere else (another admin, the command line's demo): show it.
    if (entry.action === 'approved' || entry.action === 'rejected') void refreshModels();
  },
};

/** What was loaded, unless a live event already brought something newer of the same id. */
function newest(known, loaded, idOf, timeOf) {
  const merged = new Map(loaded.map((item) => [idOf(item), item]));
  for (const [id, item] of known) {
    const other = merged.get(id);
    if (other !== undefined && timeOf(item) > timeOf(other)) merged.set(id, item);
  }
  return merged;
}

/** Everything from scratch: at start, and after the event stream reconnects (events may have been missed). */
async function loadAll() {
  try {
    const [devices, incidents, models, rollouts, decisions, alerts, audit] = await Promise.all([
      api('/v1/devices'),
      api('/v1/incidents?limit=200'),
      api('/v1/models'),
      api('/v1/rollouts'),
      api('/v1/decisions'),
      api('/v1/alerts'),
      api('/v1/audit?limit=100'),
    ]);
    state.devices = newest(
      state.devices,
      devices.devices,
      (d) => d.deviceId,
      (d) => d.lastSeen,
    );
    state.incidents = newest(
      state.incidents,
      incidents.incidents,
      (i) => i.id,
      (i) => i.updatedAt,
    );
    state.models = models.models;
    state.rollouts = new Map(rollouts.rollouts.map((r) => [r.id, r]));
    // The box shows the share a rollout gets when nobody changes it: the cloud's own setting.
    if (typeof rollouts.canaryShare === 'number' && $('canary-share').value === '') {
      $('canary-share').value = String(Math.round(rollouts.canaryShare * 100));
    }
    state.decisions = decisions.decisions;
    state.alerts = new Map(alerts.alerts.map((a) => [a.id, a]));
    state.audit = audit.entries;
    schedule(...Object.keys(RENDER));
    document.body.dataset.loaded = 'true';
    const pending = incidents.incidents.filter((i) => i.state !== 'resolved').slice(0, 50);
    await Promise.all(
      pending.map(async (i) => {
        const { actions } = await api(`/v1/incidents/${enc(i.id)}`);
        state.actions.set(i.id, actions);
      }),
    );
    schedule('incidents');
  } catch (error) {
    notify(`Could not load the dashboard: ${error.message}`);
  }
}

function connect() {
  const source = new EventSource('/v1/events');
  let dropped = false;
  source.addEventListener('open', () => {
    $('connection').textContent = 'live';
    $('connection').className = 'connection live';
    if (dropped) void loadAll();
    dropped = false;
  });
  source.addEventListener('error', () => {
    $('connection').textContent = 'reconnecting…';
    $('connection').className = 'connection down';
    dropped = true;
    // An event stream cannot tell why it failed: ask whether the session is still there (a 401 signs out).
    api('/v1/session').catch(() => undefined);
  });
  for (const type of EVENT_TYPES) {
    source.addEventListener(type, (message) => {
      try {
        HANDLERS[type](JSON.parse(message.data));
      } catch (error) {
        notify(`A live ${type} event could not be shown: ${error.message}`);
      }
    });
  }
}

$('show-resolved').addEventListener('change', () => schedule('incidents'));
$('channel').addEventListener('change', () => schedule('device'));
window.addEventListener('resize', () => charts.resize());
void signedIn().then((user) => {
  state.can = abilities(user.role);
  connect();
  void loadAll();
});
