/** The targets of issue 6, in one place; figures carry the target they are judged by. */
import type { Target } from './record.js';

export const targets = {
  pollVotesPerSecond: { op: '>=', value: 15_000 },
  pollP99Ms: { op: '<=', value: 10 },
  pollShareOfBarePercent: { op: '>=', value: 100 / 3 },
  workerNewPerSecond: { op: '>=', value: 30_000 },
  workerRevotePerSecond: { op: '>=', value: 20_000 },
  e2eP99Ms: { op: '<=', value: 250 },
  sseClients: { op: '>=', value: 5_000 },
  idleRssMB: { op: '<=', value: 80 },
} satisfies Record<string, Target>;
