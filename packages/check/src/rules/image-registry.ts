import { POD_TEMPLATE_KINDS } from '../kinds.js';
import { str } from '../read.js';
import { resolveImage } from '../resolve/image-ref.js';
import { containersIn } from '../resolve/pods.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'image-registry',
  description:
    "Every image says where it comes from and what it is: a reference without a registry host (`bernstein/poll:1.0`) is pulled from Docker Hub (`docker.io/bernstein/poll:1.0`), from whoever owns that namespace there, and an image not pinned by digest (`@sha256:…`) can change under the same tag. Official Docker Hub images (`postgres:17`) are not reported for their registry, and images never pulled (`imagePullPolicy: Never`, loaded into the nodes) are not reported at all. Reference grammar: https://github.com/distribution/reference.",
  remediation:
    'Name the registry you push to (`ghcr.io/<owner>/poll:1.0`, or a Kustomize `images:` entry with `newName`) and pin the digest it reports (`…:1.0@sha256:…`; Kustomize `images[].digest`).',
  severity: 'warning',
  profiles: ['production'],
  kinds: [...POD_TEMPLATE_KINDS],
  *check({ objectsOf }) {
    for (const o of objectsOf(...POD_TEMPLATE_KINDS)) {
      for (const c of containersIn(o)) {
        const image = str(c.container.image);
        if (image === undefined || image.includes('${') || str(c.container.imagePullPolicy) === 'Never') continue;
        const ref = resolveImage(image);
        const path = [...c.path, 'image'];
        if (ref.registry === undefined && ref.hubNamespace !== 'library') {
          yield { object: o, path, message: `image "${image}" names no registry, so it is pulled from Docker Hub as ${ref.canonical}, from whoever owns the namespace "${ref.hubNamespace ?? ''}" there` };
        }
        if (ref.digest === undefined) {
          yield { object: o, path, message: `image "${image}" is not pinned by digest: the registry can serve other content under the same tag` };
        }
      }
    }
  },
});
