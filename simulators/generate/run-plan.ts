import { z } from 'zod';
import { EmberError } from '../../shared/errors.js';
import { mixSeed, Rng } from '../scenarios/prng.js';
import type { TemplateName } from '../scenarios/scenario-catalogue.js';
import type { Scenario } from '../../shared/dataset/scenario-schema.js';

export const RUN_CLASSES = ['fire', 'nuisance', 'normal'] as const;
export type RunClassKind = (typeof RUN_CLASSES)[number];

/** Which templates make which class of run; a test checks the labels agree. */
export const TEMPLATES_BY_CLASS: Readonly<Record<RunClassKind, readonly [TemplateName, ...TemplateName[]]>> =
  {
    fire: [
      'tf1',
      'tf2',
      'tf3',
      'tf4',
      'tf5',
      'tf6',
      'tf7',
      'tf8',
      'ul217-flaming-pu',
      'ul217-smouldering-pu',
      'pan-fire-after-cooking',
      'fire-behind-heater',
      'smoulder-under-normal-life',
      'house-flaming',
      'house-flaming',
      'house-smouldering',
      'house-pan-fire',
    ],
    nuisance: [
      'frying',
      'broiling',
      'toast',
      'shower',
      'dust',
      'cigarette',
      'vaping',
      'space-heater',
      'sunlight',
      'house-cooking',
      'house-cooking',
      'house-steam',
    ],
    normal: ['people', 'occupancy', 'normal-day', 'normal-night', 'sensor-faults'],
  };

/** Shares of each class in a dataset, normalised to sum to one. */
export const Mix = z
  .partialRecord(z.enum(RUN_CLASSES), z.number().nonnegative())
  .refine((mix) => Object.values(mix).some((share) => share > 0), {
    message: 'at least one share must be positive',
  });
export type Mix = z.infer<typeof Mix>;

export const DEFAULT_MIX: Mix = { fire: 0.4, nuisance: 0.4, normal: 0.2 };

/** Parses `fire=0.4,nuisance=0.4,normal=0.2` (classes left out get no runs). */
export function parseMix(text: string): Mix {
  const entries = text.split(',').map((part) => part.split('='));
  const raw: Record<string, number> = {};
  for (const [name, value, ...extra] of entries) {
    const share = Number(value);
    if (
      name === undefined ||
      value === undefined ||
      extra.length > 0 ||
      value.trim() === '' ||
      !Number.isFinite(share)
    ) {
      throw new EmberError(
        'EMBER_ERR_BAD_OPTION',
        `--mix: expected class=share pairs like fire=0.4, got "${text}"`,
      );
    }
    raw[name.trim()] = share;
  }
  const parsed = Mix.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EmberError(
      'EMBER_ERR_BAD_OPTION',
      `--mix: ${issue?.message ?? 'invalid'} (classes: fire, nuisance, normal)`,
    );
  }
  return parsed.data;
}

/** What one run of a dataset will be; depends only on the dataset seed and the run's index. */
export interface RunPlan {
  readonly runId: string;
  readonly index: number;
  readonly seed: number;
  readonly template: TemplateName;
  readonly classKind: RunClassKind;
}

export function runId(index: number): string {
  return `run-${String(index).padStart(6, '0')}`;
}

export function planRun(datasetSeed: number, index: number, mix: Mix): RunPlan {
  const seed = mixSeed(datasetSeed, index);
  const rng = new Rng(mixSeed(seed, 0x706c616e));
  const total = RUN_CLASSES.reduce((sum, c) => sum + (mix[c] ?? 0), 0);
  let pick = rng.uniform(0, total);
  let classKind: RunClassKind = 'normal';
  for (const c of RUN_CLASSES) {
    const share = mix[c] ?? 0;
    if (share > 0) classKind = c;
    if (pick < share) break;
    pick -= share;
  }
  return { runId: runId(index), index, seed, template: rng.pick(TEMPLATES_BY_CLASS[classKind]), classKind };
}

/**
 * Fits a drawn scenario into a shorter run: a fire or nuisance that would
 * start after the run ends is moved early enough to develop within it, so a
 * dataset keeps the class mix it was asked for.
 */
export function fitToDuration(scenario: Scenario, durationS: number): Scenario {
  const latestStart = durationS * 0.4;
  return {
    ...scenario,
    suggested_duration_s: durationS,
    fire:
      scenario.fire === null
        ? null
        : { ...scenario.fire, ignition_s: Math.min(scenario.fire.ignition_s, latestStart) },
    nuisances: scenario.nuisances.map((n) => ({ ...n, start_s: Math.min(n.start_s, latestStart) })),
  };
}
