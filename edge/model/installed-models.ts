import type { Logger } from '../../shared/logging.js';
import { loadModelDir } from '../../shared/model/model-dir.js';
import type { OnnxModel } from '../../shared/model/onnx-model.js';
import type { ModelSlots, SlotEntry, SlotState } from './model-slots.js';

/** An installed model, opened. */
export interface LoadedModel {
  readonly entry: SlotEntry;
  readonly model: OnnxModel;
}

/** What runs after a restart, and the model that ran before it if that one no longer loads. */
export interface ModelsAtStart {
  readonly active: LoadedModel | undefined;
  readonly previous: LoadedModel | undefined;
  readonly broken: { readonly entry: SlotEntry; readonly error: Error } | undefined;
}

/**
 * Opens the active and previous models named in state.json. A model that
 * no longer loads is dropped (and logged); if it is the active one, the
 * previous one (or the rules) runs instead and the broken one is returned
 * so that the updater reports its rollback.
 */
export async function loadModelsAtStart(
  slots: ModelSlots,
  state: SlotState,
  threads: number,
  log: Logger,
): Promise<ModelsAtStart> {
  const active = await tryLoad(slots, state.active, threads, log);
  const previous = await tryLoad(slots, state.previous, threads, log);
  const usable = (loaded: LoadedModel | Error | undefined) => (loaded instanceof Error ? undefined : loaded);
  // If the model that ran before the restart is broken on disk, the one before it (or the rules) runs.
  if (active instanceof Error && state.active !== null) {
    return { active: usable(previous), previous: undefined, broken: { entry: state.active, error: active } };
  }
  return { active: usable(active), previous: usable(previous), broken: undefined };
}

async function tryLoad(
  slots: ModelSlots,
  entry: SlotEntry | null,
  threads: number,
  log: Logger,
): Promise<LoadedModel | Error | undefined> {
  if (entry === null) return undefined;
  try {
    const model = await loadModelDir(slots.dirOf(entry), { threads });
    return { entry, model };
  } catch (error) {
    log.error({ err: error, version: entry.version }, 'installed model does not load');
    return error instanceof Error ? error : new Error(String(error));
  }
}
