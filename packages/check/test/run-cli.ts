// The CLI run in-process, as the tests drive it: its output kept, the exit code returned.
import { run, type Io } from '../src/cli.js';

export async function runCli(args: string[], cwd: string, isTTY = false): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { stdout: (s) => void (out += s), stderr: (s) => void (err += s), isTTY, cwd };
  const code = await run(args, io);
  return { code, out, err };
}
