/**
 * The Traefik version a workload runs, read from its image tag. Flags, providers, RBAC and CRD
 * groups all differ between 1.7, 2.x and 3.x, so every Traefik analysis starts here.
 */
import { parseImage } from '../image.js';

export interface TraefikVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /**
   * False when the tag does not pin a release (`latest`, `v3`, no tag): the analyses then take
   * the newest release of that line (`latest` is the newest 3.x on Docker Hub).
   */
  readonly exact: boolean;
  /** For messages: "Traefik v3.2.1", "Traefik latest (taken as v3)". */
  readonly label: string;
}

/** The newest line the analyses know; a moving tag is read as its newest release. */
const NEWEST_MINOR = 99;

/** Image names of Traefik: the official image and its mirrors (k3s ships rancher/mirrored-library-traefik). */
export function isTraefikImage(image: string): boolean {
  const name = parseImage(image).name;
  return /(^|\/)traefik$/.test(name) || /(^|\/)mirrored-library-traefik$/.test(name);
}

export function versionFromImage(image: string): TraefikVersion {
  const tag = parseImage(image).tag ?? '';
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(tag);
  if (!m) return { major: 3, minor: NEWEST_MINOR, patch: 0, exact: false, label: `Traefik ${tag || 'latest'} (taken as v3)` };
  const major = Number(m[1]);
  const exact = m[2] !== undefined && m[3] !== undefined;
  const minor = m[2] === undefined ? NEWEST_MINOR : Number(m[2]);
  const patch = m[3] === undefined ? NEWEST_MINOR : Number(m[3]);
  return { major, minor, patch, exact, label: `Traefik v${tag.replace(/^v/, '')}` };
}

/** True when `v` is at least major.minor.patch. */
export function atLeast(v: TraefikVersion, major: number, minor = 0, patch = 0): boolean {
  if (v.major !== major) return v.major > major;
  if (v.minor !== minor) return v.minor > minor;
  return v.patch >= patch;
}

/** The configuration dialect: 1.7 (`--kubernetes`, backends/frontends) or 2.x/3.x (`--providers.*`). */
export function isV1(v: TraefikVersion): boolean {
  return v.major < 2;
}
