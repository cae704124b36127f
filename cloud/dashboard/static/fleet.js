import { el, formatAgo, formatNumber, formatPercent, formatTime, isBase64, levelBadge } from './dom.js';

const RISK_ORDER = { high: 0, medium: 1, low: 2, none: 3 };

function sensorList(sensors) {
  const entries = Object.entries(sensors ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return el('p', { class: 'muted' }, ['no sensors reported']);
  return el(
    'ul',
    { class: 'sensors plain' },
    entries.map(([id, state]) =>
      el('li', { class: state === 'open' ? 'sensor ok' : 'sensor bad' }, [`${id}: ${String(state)}`]),
    ),
  );
}

const TROUBLE_WORDS = {
  'sensor-silent': 'sensor silent',
  'sensor-stuck': 'sensor stuck',
  'sensor-implausible': 'impossible readings',
  'storage-failing': 'storage failing',
};

/** A fire panel's trouble signal: what needs a person, apart from the alarm level. */
function troubleList(id, trouble) {
  if (!Array.isArray(trouble) || trouble.length === 0) return null;
  return el('div', { class: 'trouble', role: 'status', 'data-testid': `device-trouble-${id}` }, [
    el('strong', {}, [`Trouble (${String(trouble.length)})`]),
    el(
      'ul',
      { class: 'plain' },
      trouble.map((t) =>
        el('li', { title: String(t.detail) }, [
          `${TROUBLE_WORDS[t.kind] ?? String(t.kind)}: ${String(t.source)}, since ${formatAgo(t.since)}`,
        ]),
      ),
    ),
  ]);
}

/** The thresholds the cloud last sent: pending until the device reports running them. */
function configFacts(device, id) {
  const config = device.config;
  if (!config) return [];
  const pending = config.state !== 'applied';
  const text = pending
    ? `pending since ${formatTime(config.sentAt)} (revision ${String(config.revision)})`
    : `applied ${formatTime(config.appliedAt)} (revision ${String(config.revision)})`;
  return [
    el('dt', {}, ['Thresholds']),
    el('dd', { class: pending ? 'warning' : '', 'data-testid': `device-config-${id}` }, [text]),
  ];
}

/** The model and what the device says of it, without saying the version twice. */
export function modelText(model, status) {
  const name = String(model);
  const words = String(status ?? '');
  if (words === '' || words === name) return name;
  const own = `model ${name}`;
  if (words === own) return name;
  if (words.startsWith(`${own}, `)) return `${name} (${words.slice(own.length + 2)})`;
  return `${name} (${words})`;
}

/** The newest thermal image, small, so every card shows what its camera sees without a click. */
function thermalThumb(device, id) {
  if (!isBase64(device.thermalPngBase64)) return null;
  return el('img', {
    class: 'thumb',
    src: `data:image/png;base64,${device.thermalPngBase64}`,
    alt: `Thermal image of ${id}`,
    width: '96',
    height: '72',
    'data-testid': `device-thumb-${id}`,
  });
}

/** One device as a card; the whole card is a button that selects it. */
function deviceCard(device, selected, onSelect) {
  const id = String(device.deviceId);
  const worst = RISK_ORDER[device.risk] < RISK_ORDER[device.level] ? device.risk : device.level;
  return el('li', { class: `device ${selected ? 'selected' : ''}`, 'data-testid': `device-${id}` }, [
    el('div', { class: 'device-head' }, [
      el('h3', {}, [id]),
      el('span', { class: device.online ? 'online' : 'offline', 'data-testid': `device-online-${id}` }, [
        device.online ? 'online' : 'offline',
      ]),
    ]),
    el('p', { class: 'muted' }, [`zone ${String(device.zone)}`]),
    thermalThumb(device, id),
    el('dl', { class: 'facts' }, [
      el('dt', {}, ['Risk']),
      el('dd', {}, [levelBadge(worst, `device-risk-${id}`)]),
      el('dt', {}, ['Probability']),
      el('dd', { 'data-testid': `device-probability-${id}` }, [formatPercent(device.probability)]),
      el('dt', {}, ['Model']),
      el('dd', { 'data-testid': `device-model-${id}` }, [modelText(device.model, device.modelStatus)]),
      el('dt', {}, ['Outbox']),
      el('dd', {}, [
        `${formatNumber(device.outboxMessages, 0)} msgs, oldest ${formatNumber(device.outboxOldestAgeS, 0)} s`,
      ]),
      el('dt', {}, ['Decode errors']),
      el('dd', {}, [`${formatNumber(device.decodeErrorRate, 1)} ‰`]),
      el('dt', {}, ['Last seen']),
      el('dd', {}, [formatAgo(device.lastSeen)]),
      ...configFacts(device, id),
    ]),
    troubleList(id, device.trouble),
    sensorList(device.sensors),
    el(
      'button',
      {
        type: 'button',
        class: 'select',
        'aria-pressed': selected ? 'true' : 'false',
        'aria-label': `Show thermal image and history of ${id}`,
        'data-testid': `select-${id}`,
        onclick: () => onSelect(id),
      },
      [selected ? 'Selected' : 'Details'],
    ),
  ]);
}

/** The fleet, most at risk first, then by id. */
export function renderFleet(list, devices, selectedId, onSelect) {
  const sorted = [...devices.values()].sort(
    (a, b) =>
      (RISK_ORDER[a.risk] ?? 4) - (RISK_ORDER[b.risk] ?? 4) ||
      String(a.deviceId).localeCompare(String(b.deviceId)),
  );
  if (sorted.length === 0) {
    list.replaceChildren(el('li', { class: 'muted' }, ['No devices have reported yet.']));
    return;
  }
  list.replaceChildren(...sorted.map((d) => deviceCard(d, d.deviceId === selectedId, onSelect)));
}
