import type { AlarmChange } from '../../shared/alarm/alarm-state.js';
import type { AlarmPolicy } from '../../shared/alarm/alarm-policy.js';
import { detectionSeries } from '../../shared/detection/detection-front-end.js';
import type { FireModel } from '../../shared/model/fire-model.js';
import type { CsvReadings } from '../../shared/dataset/replay-csv.js';
import { alarmChanges } from './run-outcome.js';

/**
 * Replays recorded readings through the edge's path: features and floors
 * once a second from the first reading's time to the last, the model, and
 * the alarm state machine. Returns every change of alarm level, `ts` in seconds.
 */
export async function replayReadings(
  input: CsvReadings,
  model: FireModel,
  policy: AlarmPolicy,
): Promise<AlarmChange[]> {
  const { ts, vectors, floors, fresh } = detectionSeries(input.readings, input.startMs, input.endMs, 1000);
  const probabilities = await model.predict(vectors);
  return alarmChanges(
    ts.map((ms) => ms / 1000),
    probabilities,
    policy,
    floors,
    fresh,
  );
}
