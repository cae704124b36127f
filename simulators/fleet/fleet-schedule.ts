import { EmberError } from '../../shared/errors.js';
import { hashLabel, mixSeed, Rng } from '../scenarios/prng.js';
import { drawScenario, type TemplateName } from '../scenarios/scenario-catalogue.js';
import type { Scenario } from '../../shared/dataset/scenario-schema.js';

/**
 * What each simulated gateway plays, one run after another on its own
 * emulated timeline. Pure and seeded: the same seed, gateway and run index
 * always give the same run.
 *
 * The opening is fixed so that whoever starts the fleet sees something soon:
 * the first gateway opens with a flaming fire that ignites early, the others
 * with everyday nuisances (toast, a shower, frying…) and normal life. After
 * the opening every gateway plays a seeded mix of fires, nuisances and
 * normal life.
 */

export type RunKind = 'fire' | 'nuisance' | 'normal';

/** One run of a gateway's schedule. */
export interface PlannedRun {
  readonly gatewayId: string;
  /** 0, 1, 2… on this gateway. */
  readonly index: number;
  readonly template: TemplateName;
  /** The seed the scenario was drawn from the catalogue with (before the schedule moved its timings). */
  readonly seed: number;
  readonly kind: RunKind;
  /** What to call the run on screen: the fire class, the nuisance kind or the template. */
  readonly label: string;
  /** Emulated seconds from the gateway's start to the run's start. */
  readonly startS: number;
  /** Includes the lead-in. */
  readonly durationS: number;
  /**
   * Seconds at the start of the run during which the room of the run before
   * fades into this one (0 for the opening run); nothing of the run's own
   * happens before it ends.
   */
  readonly leadInS: number;
  /** Seconds from the run's start; null without a fire. */
  readonly ignitionS: number | null;
  /** The concrete scenario the run plays (seed included). */
  readonly scenario: Scenario;
}

/** Seconds a fire run goes on after ignition. */
const FIRE_WATCH_S = 240;
const SMOULDER_WATCH_S = 900;
/** Ignition in the opening fire: early, so the first alarm comes within seconds of wall time. */
const OPENING_IGNITION_S = 30;
const NORMAL_RUN_S = 300;
/** After the opening, each gateway's every FIRE_EVERY-th run (staggered across gateways) is a fire. */
const FIRE_EVERY = 5;
/** Longest stretch of a nuisance a run shows, and the quiet after it. */
const NUISANCE_SHOWN_S = 300;
const NUISANCE_TAIL_S = 60;

const FLAMING: readonly [TemplateName, ...TemplateName[]] = ['ul217-flaming-pu', 'tf1', 'tf4', 'tf5'];
const SMOULDERING: readonly [TemplateName, ...TemplateName[]] = ['ul217-smouldering-pu'];
const NUISANCES: readonly [TemplateName, ...TemplateName[]] = [
  'toast',
  'shower',
  'frying',
  'cigarette',
  'vaping',
  'dust',
  'broiling',
  'space-heater',
  'sunlight',
];
/**
 * Nuisances of the seeded mix: every one but frying and the space heater,
 * which the shipped model too often takes for the start of a fire (a hot
 * pan or a glowing element in the camera's view). Frying is its known weak
 * spot (its one false alarm in 311 held-out nuisance runs); played through
 * the fleet's timeline, 1 frying run in 10 and 4 space-heater runs in 18
 * raised medium. The demo shows each once, in the checked openings of
 * gw-04 and gw-09.
 */
const MIXED_NUISANCES: readonly [TemplateName, ...TemplateName[]] = [
  'toast',
  'shower',
  'cigarette',
  'vaping',
  'dust',
  'broiling',
  'sunlight',
];
const NORMAL: readonly [TemplateName, ...TemplateName[]] = ['normal-day', 'normal-night'];

/** What gateways 2, 3… open with; gateway 1 opens with the fire. */
const OPENING_OTHERS: readonly TemplateName[] = [
  'toast',
  'shower',
  'frying',
  'normal-day',
  'cigarette',
  'vaping',
  'dust',
  'space-heater',
  // Not normal-night: its opening draw is a quiet bedroom the shipped model takes for smoke (medium, 0.91).
  'broiling',
];

/**
 * Lead-in of every run after the opening: three emulated minutes during
 * which the previous run's room (smoke, a hot toaster, people's CO₂) fades
 * into this run's quiet start, before this run's own events begin.
 */
export const RUN_LEAD_IN_S = 180;

/**
 * Scenario seed of the opening runs. Checked offline (featureSeries + the
 * shipped model and the rules): the opening fire reaches high 15 emulated
 * seconds after ignition with the model (32 s with the rules), and the toast,
 * shower and frying openings raise nothing with the model; through
 * `checkTimeline`, no opening of gw-02…gw-10 raises more than low.
 */
const OPENING_SEED = 1;

function kindOf(template: TemplateName): RunKind {
  if (NORMAL.includes(template)) return 'normal';
  if (NUISANCES.includes(template)) return 'nuisance';
  return 'fire';
}

/** A fire with its ignition moved to `ignitionS`, as the edge tests do with catalogue scenarios. */
function withIgnition(scenario: Scenario, ignitionS: number): Scenario {
  return scenario.fire === null
    ? scenario
    : { ...scenario, fire: { ...scenario.fire, ignition_s: ignitionS } };
}

/** The nuisances moved earlier so that the unusual one starts at `startS`. */
function nuisanceAt(scenario: Scenario, startS: number): Scenario {
  const first = scenario.nuisances.reduce((min, n) => Math.min(min, n.start_s), Infinity);
  const shift = Number.isFinite(first) ? Math.max(0, first - startS) : 0;
  return {
    ...scenario,
    nuisances: scenario.nuisances.map((n) => ({ ...n, start_s: Math.max(0, n.start_s - shift) })),
  };
}

/**
 * The scenario as played in the gateway's own room after the opening: the
 * same sensor units (the scenario seed, which draws each module's
 * calibration) and the same climate as the opening run, its clock moved on
 * to `startS`, so that a run does not start from another building's
 * temperature, humidity or CO₂. Its events move `leadInS` later.
 */
function atHome(scenario: Scenario, home: Scenario, startS: number, leadInS: number): Scenario {
  const shift = <T extends { readonly start_s: number }>(item: T): T => ({
    ...item,
    start_s: item.start_s + leadInS,
  });
  return {
    ...scenario,
    seed: home.seed,
    background: {
      ...home.background,
      start_hour: (home.background.start_hour + startS / 3600) % 24,
    },
    nuisances: scenario.nuisances.map(shift),
    fire:
      scenario.fire === null ? null : { ...scenario.fire, ignition_s: scenario.fire.ignition_s + leadInS },
    faults: scenario.faults.map((f) => ({ ...shift(f), end_s: f.end_s + leadInS })),
    suggested_duration_s: scenario.suggested_duration_s + leadInS,
  };
}

function labelOf(scenario: Scenario, kind: RunKind, template: TemplateName): string {
  if (kind === 'fire' && scenario.fire !== null) return scenario.fire.fire_class;
  if (kind === 'nuisance') return scenario.nuisances.find((n) => n.kind !== 'people')?.kind ?? template;
  return template;
}

/** Duration and ignition of a run of `scenario`, cut to what a demo needs to show. */
function shape(scenario: Scenario, kind: RunKind): { durationS: number; ignitionS: number | null } {
  if (kind === 'fire' && scenario.fire !== null) {
    const watch = scenario.fire.smouldering ? SMOULDER_WATCH_S : FIRE_WATCH_S;
    return { durationS: Math.round(scenario.fire.ignition_s + watch), ignitionS: scenario.fire.ignition_s };
  }
  if (kind === 'nuisance') {
    const end = scenario.nuisances.reduce(
      (max, n) => Math.max(max, n.start_s + Math.min(n.duration_s, NUISANCE_SHOWN_S)),
      0,
    );
    return { durationS: Math.round(Math.min(end, 600) + NUISANCE_TAIL_S), ignitionS: null };
  }
  return { durationS: NORMAL_RUN_S, ignitionS: null };
}

interface Choice {
  readonly template: TemplateName;
  readonly seed: number;
  readonly scenario: Scenario;
}

/** The run a gateway plays at position `index`, before it is placed on the timeline. */
function choose(seed: number, gatewayIndex: number, index: number): Choice {
  if (index === 0) {
    const template =
      gatewayIndex === 0
        ? 'ul217-flaming-pu'
        : (OPENING_OTHERS[(gatewayIndex - 1) % OPENING_OTHERS.length] ?? 'toast');
    const runSeed = OPENING_SEED;
    const drawn = drawScenario(template, runSeed, { faultProbability: 0 });
    const scenario =
      kindOf(template) === 'fire' ? withIgnition(drawn, OPENING_IGNITION_S) : nuisanceAt(drawn, 20);
    return { template, seed: runSeed, scenario };
  }
  const rng = new Rng(mixSeed(seed, gatewayIndex, index, hashLabel('fleet-run')));
  // Every gateway has a fire every FIRE_EVERY runs, staggered, so that the fleet keeps showing some.
  const roll = (index + gatewayIndex) % FIRE_EVERY === 0 ? rng.next() * 0.25 : rng.next();
  const template =
    roll < 0.2
      ? rng.pick(FLAMING)
      : roll < 0.25
        ? rng.pick(SMOULDERING)
        : roll < 0.75
          ? rng.pick(MIXED_NUISANCES)
          : rng.pick(NORMAL);
  const runSeed = rng.int(1, 2 ** 31 - 1);
  const drawn = drawScenario(template, runSeed, { faultProbability: 0.05 });
  const kind = kindOf(template);
  const scenario =
    kind === 'fire'
      ? withIgnition(drawn, Math.round(rng.uniform(20, 90)))
      : kind === 'nuisance'
        ? nuisanceAt(drawn, Math.round(rng.uniform(15, 60)))
        : drawn;
  return { template, seed: runSeed, scenario };
}

/**
 * The run at position `index` of a gateway's schedule, starting at `startS`
 * (the end of the run before). Deterministic in (seed, gatewayIndex, index).
 */
export function planRun(
  seed: number,
  gateway: { readonly id: string; readonly index: number },
  index: number,
  startS: number,
): PlannedRun {
  if (!Number.isInteger(index) || index < 0) {
    throw new EmberError('EMBER_ERR_BAD_OPTION', `run index must be a whole number ≥ 0, not ${index}`);
  }
  const choice = choose(seed, gateway.index, index);
  const { template } = choice;
  const kind = kindOf(template);
  const { durationS, ignitionS } = shape(choice.scenario, kind);
  const leadInS = index === 0 ? 0 : RUN_LEAD_IN_S;
  const scenario =
    index === 0
      ? choice.scenario
      : atHome(choice.scenario, choose(seed, gateway.index, 0).scenario, startS, leadInS);
  return {
    gatewayId: gateway.id,
    index,
    template,
    seed: choice.seed,
    kind,
    label: labelOf(scenario, kind, template),
    startS,
    durationS: durationS + leadInS,
    leadInS,
    ignitionS: ignitionS === null ? null : ignitionS + leadInS,
    scenario,
  };
}

/** The first `count` runs of a gateway, back to back from emulated time 0. */
export function planRuns(
  seed: number,
  gateway: { readonly id: string; readonly index: number },
  count: number,
): PlannedRun[] {
  const runs: PlannedRun[] = [];
  let startS = 0;
  for (let index = 0; index < count; index++) {
    const run = planRun(seed, gateway, index, startS);
    runs.push(run);
    startS += run.durationS;
  }
  return runs;
}

/** One line saying what a run plays, for logs and the console: `gw-01 #0 fire ul217-flaming-pu (270 s, ignition at 30 s)`. */
export function describeRun(run: {
  readonly gatewayId: string;
  readonly index: number;
  readonly kind: RunKind;
  readonly label: string;
  readonly durationS: number;
  readonly ignitionS: number | null;
}): string {
  const ignition = run.ignitionS === null ? '' : `, ignition at ${Math.round(run.ignitionS)} s`;
  return `${run.gatewayId} #${run.index} ${run.kind} ${run.label} (${Math.round(run.durationS)} s${ignition})`;
}
