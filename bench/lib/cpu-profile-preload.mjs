// Loaded with `--import` through NODE_OPTIONS (where Node 20 refuses --cpu-prof): profiles the
// whole process with the in-process inspector and writes a .cpuprofile when it exits, so a
// service started by someone else (the local stack) can be profiled without changing how it
// is spawned. The directory comes from BERNSTEIN_CPU_PROFILE_DIR.
import { writeFileSync, mkdirSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.BERNSTEIN_CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  process.on('exit', () => {
    // Same-thread inspector sessions answer synchronously, so this runs before the process ends.
    session.post('Profiler.stop', (err, result) => {
      if (err || !result) return;
      mkdirSync(dir, { recursive: true });
      const name = `${(process.argv[1] ?? 'node').split('/').slice(-3).join('-').replace(/\.[jt]s$/, '')}-${process.pid}.cpuprofile`;
      writeFileSync(join(dir, name), JSON.stringify(result.profile));
    });
  });
}
