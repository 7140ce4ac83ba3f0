export { run, USAGE, type Io } from './cli.js';
export { runPoll, POLL_USAGE } from './poll.js';
