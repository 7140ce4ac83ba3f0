/**
 * Configuration loading for the worker's entry points: an invalid or missing variable ends
 * the process with exit code 78 (EX_CONFIG) after one fatal log line on stderr that names
 * every bad variable.
 */
import { BernsteinError, loadConfig, type ConfigOf, type Spec } from '@bernstein/common';
import { pino } from 'pino';

export const EX_CONFIG = 78;

export function loadConfigOrExit<S extends Spec>(service: string, spec: S, source: NodeJS.ProcessEnv = process.env): ConfigOf<S> {
  try {
    return loadConfig(spec, source);
  } catch (err) {
    // LOG_LEVEL itself may be the bad variable, so this logger does not read it.
    const stderr = pino({ name: service, base: { service } }, pino.destination({ dest: 2, sync: true }));
    if (err instanceof BernsteinError) {
      stderr.fatal({ code: err.code, problems: err.details?.problems }, err.message);
    } else {
      stderr.fatal({ err }, 'could not read the configuration');
    }
    process.exit(EX_CONFIG);
  }
}
