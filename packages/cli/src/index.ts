export { run, USAGE, type Io } from './cli.js';
