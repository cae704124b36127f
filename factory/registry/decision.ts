import { z } from 'zod';
import { GateCriteria } from './gate.js';
import { RegistryName } from './registry-layout.js';

export const ModelStatus = z.enum(['candidate', 'approved', 'rejected', 'retired']);
export type ModelStatus = z.infer<typeof ModelStatus>;

/**
 * Which moves a decision may make. A rejected or retired model can be
 * approved again (a person overrules the gate, or rolls back); an approved
 * one can be withdrawn (rejected) or retired.
 */
const ALLOWED: Readonly<Record<ModelStatus, readonly ModelStatus[]>> = {
  candidate: ['approved', 'rejected'],
  approved: ['rejected', 'retired'],
  rejected: ['approved'],
  retired: ['approved'],
};

/** Why a model may not move from `from` to `to`, or undefined when it may. */
export function transitionProblem(version: string, from: ModelStatus, to: ModelStatus): string | undefined {
  if (ALLOWED[from].includes(to)) return undefined;
  if (from === to) return `model ${version} is already ${to}`;
  return `model ${version} is ${from} and cannot become ${to}`;
}

const GateCheckRecord = z.object({
  criterion: z.string(),
  passed: z.boolean(),
  measured: z.number().nullable(),
  limit: z.number(),
  reason: z.string(),
});

/** What the gate said about a model when a decision was taken, kept with the decision. */
export const GateVerdict = z.object({
  version: RegistryName,
  /** The approved model the candidate was compared with; null when none was in service. */
  against: RegistryName.nullable(),
  criteria: GateCriteria,
  approved: z.boolean(),
  reasons: z.array(z.string()),
  checks: z.array(GateCheckRecord),
});
export type GateVerdict = z.infer<typeof GateVerdict>;

/** One entry of the audit log: stored as an object, mirrored in the catalogue. */
export const DecisionRecord = z.object({
  schemaVersion: z.literal(1),
  version: RegistryName,
  /** 1, 2, 3… per model, in the order the decisions were taken. */
  seq: z.number().int().positive(),
  from: ModelStatus,
  to: ModelStatus,
  by: z.string().min(1),
  reason: z.string().min(1),
  gate: GateVerdict.nullable(),
  ts: z.iso.datetime(),
});
export type DecisionRecord = z.infer<typeof DecisionRecord>;

/** A model's status is where its last decision left it. */
export function statusAfter(decisions: readonly DecisionRecord[]): ModelStatus {
  return decisions.at(-1)?.to ?? 'candidate';
}

/**
 * Why a gate verdict cannot back the approval of `version` while `current` is
 * in service, or undefined when it can: it must be for this model, have
 * passed, and have compared against the model that is still current.
 */
export function verdictProblem(
  version: string,
  gate: GateVerdict,
  current: string | null,
): string | undefined {
  if (gate.version !== version) return `the gate verdict is for ${gate.version}`;
  if (!gate.approved) {
    const failing = gate.checks.filter((c) => !c.passed).map((c) => c.reason);
    return `the gate refused it: ${failing.join('; ')}`;
  }
  if (gate.against !== current) {
    return `the gate compared it with ${gate.against ?? 'no model'}, but the current model is now ${current ?? 'none'}`;
  }
  return undefined;
}

/** Who takes a decision and why. */
export interface DecisionInput {
  by: string;
  reason: string;
  /** The gate's verdict to record with the decision; an approval with a failing or stale verdict is refused. */
  gate?: GateVerdict;
}
