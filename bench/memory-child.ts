import { capYoungGeneration } from '../edge/young-generation.js';

/**
 * Child process of the memory benchmark: one edge agent from the config file
 * in argv[2], with emulated time at argv[3]×. Answers 'sample' over IPC with
 * its own memory figures and what the agent has done, and 'stop' by stopping.
 * It starts as `emberwatch edge` does (bin/emberwatch.js): the young
 * generation is capped before anything loads, then the command line and its
 * edge command are loaded (the same modules as the real command) and the
 * agent logs through pino to standard error at warn.
 */
capYoungGeneration();
await import('../cli/main.js');
await import('../cli/commands/edge.js');
const { EdgeAgent } = await import('../edge/agent.js');
const { loadAgentConfig } = await import('../edge/config/agent-config.js');
const { createLogger } = await import('../shared/logging.js');

export interface MemorySample {
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  /** Heap V8 has committed, used or not (the young generation's semi-spaces included). */
  readonly heapTotalBytes: number;
  readonly externalBytes: number;
  readonly steps: number;
  readonly skippedSteps: number;
  readonly model: string;
  readonly readings: Readonly<Record<string, number>>;
}

const [configPath, scale] = process.argv.slice(2);
if (configPath === undefined || scale === undefined || process.send === undefined) {
  throw new Error('usage: fork memory-child.js CONFIG SCALE (with an IPC channel)');
}
const send = process.send.bind(process);
const agent = await EdgeAgent.create({
  config: await loadAgentConfig(configPath),
  timeScale: Number(scale),
  logger: createLogger({ level: 'warn', pretty: false }),
});
await agent.start();
send('ready');
process.on('message', (message) => {
  if (message === 'stop') {
    void agent.stop().then(() => process.exit(0));
    return;
  }
  if (message !== 'sample') return;
  void agent.snapshot().then((s) => {
    const memory = process.memoryUsage();
    const sample: MemorySample = {
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      heapTotalBytes: memory.heapTotal,
      externalBytes: memory.external,
      steps: s.steps,
      skippedSteps: agent.pipeline.stats.skippedSteps,
      model: s.modelVersion,
      readings: Object.fromEntries(s.sensors.map((x) => [x.id, x.readings])),
    };
    send(sample);
  });
});
