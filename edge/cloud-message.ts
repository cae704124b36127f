import { DeviceConfigMessage } from '../shared/schemas/messages.js';
import { parseTopic } from '../shared/topics.js';

const NOT_FOR_THE_AGENT = 'not for the agent';
/** The cloud cleared the retained message of the topic (everything it sent was answered). */
const CLEARED = 'retained message cleared';
/** Reasons to ignore a message that are no one's mistake, so not worth a warning. */
export const QUIET_REASONS: readonly string[] = [NOT_FOR_THE_AGENT, CLEARED];

/** What a message from the cloud asks of the agent, or why it is ignored. */
export type CloudMessage =
  | { readonly kind: 'offer'; readonly body: unknown }
  | { readonly kind: 'config'; readonly config: DeviceConfigMessage }
  | { readonly kind: 'ignored'; readonly reason: string; readonly path?: string };

/**
 * Reads one message the agent received (its model/offer or config topic, or
 * its own retained status echoed back). Pure: the agent acts on the result.
 * An offer's body is checked by the model updater, which reports refusals.
 */
export function readCloudMessage(topic: string, payload: Buffer): CloudMessage {
  const kind = parseTopic(topic)?.kind;
  if (kind !== 'model/offer' && kind !== 'config') return { kind: 'ignored', reason: NOT_FOR_THE_AGENT };
  if (payload.length === 0) return { kind: 'ignored', reason: CLEARED };
  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch {
    return { kind: 'ignored', reason: 'not JSON' };
  }
  if (kind === 'model/offer') return { kind: 'offer', body };
  const parsed = DeviceConfigMessage.safeParse(body);
  if (parsed.success) return { kind: 'config', config: parsed.data };
  const issue = parsed.error.issues[0];
  return {
    kind: 'ignored',
    reason: `config message refused: ${issue?.message ?? 'invalid'}`,
    path: issue?.path.join('.') ?? '',
  };
}
