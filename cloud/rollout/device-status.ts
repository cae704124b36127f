/** What became of one device in a rollout. */
export const DEVICE_STATUSES = [
  'pending',
  'offered',
  'installed',
  'rejected',
  'failed',
  'rolled-back',
  'timed-out',
] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];

/** Statuses that count against a canary. */
const FAILURES: ReadonlySet<DeviceStatus> = new Set(['rejected', 'failed', 'rolled-back', 'timed-out']);

export function isFailure(status: DeviceStatus): boolean {
  return FAILURES.has(status);
}

/** Still waiting for the device to answer. */
export function isWaiting(status: DeviceStatus): boolean {
  return status === 'pending' || status === 'offered';
}
