import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { RolloutProgress } from '../cloud/contracts/cloud-values.js';
import {
  benchCloudConfig,
  DeviceFleet,
  FLEET_SIZE,
  fleetWorkspace,
  freePort,
  identitiesOf,
  processCpuSeconds,
  runFolder,
  startBrokerProcess,
  startCloud,
} from './cloud-fleet.js';
import { isMain, runStandalone, type BenchOptions } from './bench-options.js';
import { figure, type Figure } from './figure.js';

/**
 * A model rollout to FLEET_SIZE simulated devices (a child process, each an
 * MQTT.js client with its own certificate) through the whole CloudService:
 * POST /v1/rollouts, signed offers to the canaries, each device verifying
 * the offer with the fleet public key, fetching the manifest and the model
 * from the cloud's HTTP API and checking both SHA-256s, then reporting
 * 'installed'; the rest of the fleet once the canaries' observation window
 * has passed. Times the rollout from the POST to state completed. The
 * observation window is shortened from its default 900 s to 5 s so that
 * the machinery is timed, not the wait: with the default a rollout cannot
 * complete in under 15 minutes, whatever the devices do (the second figure
 * adds the 895 s back).
 */
const CANARY_SHARE = 0.1;
/** How long the canaries' alarm rate is watched after the last canary installs. */
const OBSERVATION_S = 5;
const TIMEOUT_S = 90;

const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const DEFAULT_OBSERVATION_S = 900;

/** The rollout's figures (one rollout: it takes tens of seconds and needs the whole fleet). */
export async function benchCloudRollout(_options?: BenchOptions): Promise<Figure[]> {
  const load = loadavg()[0] ?? 0;
  const { workspace } = await fleetWorkspace(FLEET_SIZE);
  const deviceIds = workspace.devices.map((d) => d.deviceId);
  const featureNames = (
    JSON.parse(readFileSync(join(workspace.shippedModelDir, 'manifest.json'), 'utf8')) as {
      featureNames: string[];
    }
  ).featureNames;
  const broker = await startBrokerProcess(workspace);
  const run = runFolder();
  const config = benchCloudConfig(workspace, run.dir, broker.port, await freePort(), deviceIds, {
    rollout: {
      canaryShare: CANARY_SHARE,
      canaryTimeoutS: TIMEOUT_S,
      fleetTimeoutS: TIMEOUT_S,
      observation: { windowS: OBSERVATION_S },
    },
  });
  const cloud = await startCloud(config);
  const devices = DeviceFleet.start();
  try {
    const rollout = cloud.models?.rollout;
    const registry = cloud.models?.registry;
    if (rollout === undefined || registry === undefined) throw new Error('cloud rollout bench: no rollout');
    const connected = await devices.request({
      type: 'connect',
      port: broker.port,
      caPath: workspace.ca.certPath,
      devices: identitiesOf(workspace),
      featureNames,
      fleetPublicKeyPath: workspace.offerKeys.publicKeyPath,
      fetchModel: true,
    });
    if (connected.type !== 'connected' || connected.failed > 0) {
      throw new Error('cloud rollout bench: not every device connected');
    }
    await devices.request({ type: 'announce' });
    while (cloud.fleet.deviceIds().length < deviceIds.length) await sleep(20);
    const version = workspace.registry.rolloutVersion;
    const record = (await registry.list()).find((m) => m.version === version);
    if (record?.status === 'candidate')
      await registry.approve(version, { by: 'bench', reason: 'rollout bench' });

    const phases = new Map<string, number>();
    let canariesInstalledAt = 0;
    const settled = new Promise<RolloutProgress>((resolve) => {
      rollout.on('progress', (p) => {
        if (!phases.has(p.state)) phases.set(p.state, now());
        const canaries = p.devices.filter((d) => d.canary);
        if (canariesInstalledAt === 0 && canaries.every((d) => d.status === 'installed')) {
          canariesInstalledAt = now();
        }
        if (p.state !== 'canary' && p.state !== 'fleet') resolve(p);
      });
    });
    const cpu = process.cpuUsage();
    const brokerCpu = processCpuSeconds(broker.pid);
    const devicesCpu = processCpuSeconds(devices.pid);
    const { token } = await cloud.accessAdmin.createToken({ name: 'bench', role: 'admin' }, 'bench');
    const started = now();
    const response = await fetch(`${cloud.url}/v1/rollouts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ version, canaryShare: CANARY_SHARE }),
    });
    if (response.status !== 201)
      throw new Error(`cloud rollout bench: POST /v1/rollouts ${String(response.status)}`);
    let timer: NodeJS.Timeout | undefined;
    const final: RolloutProgress | undefined = await Promise.race([
      settled,
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), TIMEOUT_S * 2000))),
    ]);
    clearTimeout(timer);
    const ended = now();
    const used = process.cpuUsage(cpu);
    const wall = (ended - started) / 1000;
    await sleep(500); // the last PUBACKs of the reports reach the devices
    const stats = await devices.request({ type: 'rollout-stats' });
    const fleetAt = phases.get('fleet') ?? Number.NaN;
    const canaries = final?.devices.filter((d) => d.canary).length ?? 0;
    const installed = final?.devices.filter((d) => d.status === 'installed').length ?? 0;
    const changed = `observation.windowS 5 (default ${String(DEFAULT_OBSERVATION_S)}): times the machinery, not the wait`;
    const deviceNote =
      stats.type === 'rollout-stats'
        ? `; devices: ${String(stats.offers)} offers, ${String(stats.verified)} signatures verified, ${String(stats.models)} models fetched (${(stats.bytes / 2 ** 20).toFixed(0)} MB), ${String(stats.installed)} reports${stats.problems.length === 0 ? '' : `; problems: ${stats.problems.join('; ')}`}`
        : '';
    const figures = [
      figure('cloud-rollout', {
        name: `rollout to ${String(deviceIds.length)} devices: POST → completed`,
        unit: 's',
        values: final?.state === 'completed' ? wall : Number.NaN,
        goal: { op: '<=', value: 60 },
        note: `state ${final?.state ?? 'still running'}, ${String(installed)}/${String(final?.devices.length ?? 0)} installed; canary phase ${seconds(fleetAt - started)} (${String(canaries)} canaries, all installed at ${seconds(canariesInstalledAt - started)}), fleet phase ${seconds(ended - fleetAt)}; cloud CPU ${((100 * (used.user + used.system)) / 1e6 / wall).toFixed(1)} % of a core, broker ${((100 * (processCpuSeconds(broker.pid) - brokerCpu)) / wall).toFixed(1)} %, devices ${((100 * (processCpuSeconds(devices.pid) - devicesCpu)) / wall).toFixed(1)} %; load average ${load.toFixed(1)}${deviceNote}`,
        changed,
      }),
      figure('cloud-rollout', {
        name: `rollout to ${String(deviceIds.length)} devices with the default ${String(DEFAULT_OBSERVATION_S)} s observation window`,
        unit: 's',
        values: final?.state === 'completed' ? wall + DEFAULT_OBSERVATION_S - OBSERVATION_S : Number.NaN,
        note: 'the figure above plus the rest of the default window: what an operator waits for with the defaults',
      }),
    ];
    return figures;
  } finally {
    await devices.stop();
    await cloud.stop();
    await broker.stop();
    run.remove();
  }
}

if (isMain(import.meta.url)) await runStandalone(benchCloudRollout);
