/**
 * Start-up configuration for a process entry point: an invalid or missing variable ends the
 * process with exit code 78 (sysexits EX_CONFIG: restarting will not help) after one fatal
 * log line on stderr naming every bad variable.
 */
import { pino } from 'pino';
import { BernsteinError } from '../errors.js';

export const EX_CONFIG = 78;

/** Runs `load` (loadConfig, loadPolls, …); on failure logs and exits 78. */
export function configOrExit<T>(service: string, load: () => T): T {
  try {
    return load();
  } catch (err) {
    // LOG_LEVEL itself may be the bad variable, so this logger does not read it; written
    // synchronously so the line is out before the exit.
    const stderr = pino({ name: service, base: { service } }, pino.destination({ dest: 2, sync: true }));
    if (err instanceof BernsteinError) stderr.fatal({ code: err.code, problems: err.details?.problems }, err.message);
    else stderr.fatal({ err }, 'could not read the configuration');
    process.exit(EX_CONFIG);
  }
}
