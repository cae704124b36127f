/** What an operator says an incident turned out to be; labelled recordings carry the same words. */
export const OUTCOMES = ['fire', 'false-alarm', 'test', 'unknown'] as const;
export type Outcome = (typeof OUTCOMES)[number];
