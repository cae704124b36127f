import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../../shared/logging.js';
import type { Incident } from '../contracts/cloud-values.js';
import type { LeaseStore } from '../database/lease-store.js';
import { SingletonLease } from '../database/singleton-lease.js';
import type { CloudParts } from './cloud-parts.js';

/** What a worker does on gaining and on losing one singleton's lease. */
export interface SingletonRole {
  gained(): void;
  lost(): void;
}

export interface SingletonsOptions {
  readonly store: LeaseStore;
  /** This worker among those sharing the database: host, pid and a random tag by default. */
  readonly holder?: string;
  readonly ttlMs?: number;
  readonly renewEveryMs?: number;
  readonly logger: Logger;
}

/** A name for this worker that says where it runs, and differs between two runs of one pid. */
export function workerName(): string {
  return `${hostname()}/${String(process.pid)}/${randomBytes(3).toString('hex')}`;
}

/**
 * The work that must run on one worker at a time when several share a
 * database, each behind a lease of the same name (`cloud/database/`): the
 * worker that holds it runs the role; when it dies its lease expires and
 * another takes the role over. start() opens the lease store and starts
 * trying; stop() gives every held lease up.
 */
export class Singletons {
  readonly #store: LeaseStore;
  readonly #options: SingletonsOptions;
  readonly #leases: SingletonLease[] = [];
  readonly holder: string;
  #started = false;

  constructor(options: SingletonsOptions) {
    this.#store = options.store;
    this.#options = options;
    this.holder = options.holder ?? workerName();
  }

  /** Adds a role before start(). */
  add(name: string, role: SingletonRole): void {
    const lease = new SingletonLease({
      store: this.#store,
      name,
      holder: this.holder,
      logger: this.#options.logger,
      ...(this.#options.ttlMs === undefined ? {} : { ttlMs: this.#options.ttlMs }),
      ...(this.#options.renewEveryMs === undefined ? {} : { renewEveryMs: this.#options.renewEveryMs }),
    });
    lease.onChange((held) => (held ? role.gained() : role.lost()));
    this.#leases.push(lease);
  }

  /** The roles this worker holds now. */
  held(): string[] {
    return this.#leases.filter((lease) => lease.held).map((lease) => lease.name);
  }

  start(): void {
    if (this.#started) return;
    this.#store.open();
    this.#started = true;
    for (const lease of this.#leases) lease.start();
  }

  stop(): void {
    if (!this.#started) return;
    this.#started = false;
    for (const lease of this.#leases) lease.stop();
    this.#store.close();
  }
}

/** How often the worker holding the repeats looks for open incidents other workers paged. */
const ADOPT_EVERY_MS = 2_000;

/**
 * Repeats and escalation of emergency alerts: the holder adopts every open
 * incident from the database at once and every 2 s after (so alerts other
 * workers started, and those of a worker that died, repeat); losing the
 * lease stops its timers.
 */
export function responseRepeatsRole(
  parts: Pick<CloudParts, 'incidents' | 'response' | 'logger'>,
): SingletonRole {
  let timer: NodeJS.Timeout | undefined;
  let adopting = false;
  const adopt = (): void => {
    if (adopting) return;
    adopting = true;
    let open: Incident[];
    try {
      open = parts.incidents.list({ state: 'open', limit: 1000 });
    } catch (error) {
      adopting = false;
      parts.logger.warn({ err: error }, 'could not read the open incidents to repeat their alerts');
      return;
    }
    void parts.response
      .adoptAlerts(open, (id) => parts.incidents.actions(id))
      .catch((error: unknown) => parts.logger.error({ err: error }, 'adopting alerts failed'))
      .finally(() => (adopting = false));
  };
  return {
    gained() {
      adopt();
      timer = setInterval(adopt, ADOPT_EVERY_MS);
      timer.unref();
    },
    lost() {
      clearInterval(timer);
      timer = undefined;
      parts.response.releaseRepeats();
    },
  };
}

/**
 * Rollouts and learning, on one lease: the holder resumes the running
 * rollout from the shared store and handles the device reports the others
 * queue (`FleetRollout.lead`/`follow`), and learns the outcomes any worker
 * queued and runs the retrainings they call for, those a previous holder
 * left unfinished included (`LearningAgent.lead`/`follow`). One lease for
 * both, because a retrained model that passes the gate is rolled out by the
 * worker that trained it, and only the rollout's holder may start one.
 */
export function modelWorkRole(parts: Pick<CloudParts, 'models' | 'learning' | 'logger'>): SingletonRole {
  const log = (error: unknown): void =>
    parts.logger.error({ err: error }, 'rollout or learning hand-over failed');
  return {
    gained: () => {
      void parts.models?.rollout?.lead().catch(log);
      void parts.learning.lead().catch(log);
    },
    lost: () => {
      void parts.learning.follow().catch(log);
      void parts.models?.rollout?.follow().catch(log);
    },
  };
}
