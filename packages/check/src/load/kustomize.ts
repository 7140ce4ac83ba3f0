/** Renders a Kustomize directory with `kubectl kustomize`. */
import { execFile } from 'node:child_process';

export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** kubectl is missing or `kubectl kustomize` failed: a problem with the input, not a crash. */
export class KustomizeError extends Error {}

/** `label` names the directory in messages (the path as the user gave it). */
export function renderKustomize(dir: string, label = dir, kubectl = process.env.BERNSTEIN_KUBECTL ?? 'kubectl'): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(kubectl, ['kustomize', dir], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new KustomizeError(`${label} is a Kustomize directory, but "${kubectl}" was not found on PATH; install kubectl (or set BERNSTEIN_KUBECTL) to render it`));
      } else if (err) {
        reject(new KustomizeError(`kubectl kustomize ${label} failed: ${stderr.trim() || err.message}`));
      } else {
        resolve(stdout);
      }
    });
  });
}
