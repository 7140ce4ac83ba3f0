/**
 * Finds links that do not resolve: relative links (and their anchors) in Markdown files, and
 * Markdown documents cited by path or name in code, scripts and manifests.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { anchorsOf, isExternal, linksOf } from './markdown.js';

export interface BrokenLink {
  /** Repository-relative path of the file that holds the link. */
  readonly file: string;
  readonly line: number;
  readonly target: string;
  readonly reason: string;
}

/** Test data and build output are not documentation; they may cite anything on purpose. */
const SKIPPED = /(^|\/)(node_modules|dist|fixtures|\.git)(\/|$)/;

/**
 * The files of the repository, repository-relative with `/`: what git tracks plus new files
 * not ignored (so a link is checked before its file is committed); a plain walk without git.
 */
export function repositoryFiles(root: string): string[] {
  const git = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8' });
  const listed = git.status === 0 ? git.stdout.split('\0').filter(Boolean) : walk(root, root);
  return [...new Set(listed)].filter((f) => !SKIPPED.test(f) && existsSync(join(root, f))).sort();
}

function walk(root: string, dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name.startsWith('.') && entry.name !== '.ci' ? [] : walk(root, path);
    return [relative(root, path).split(sep).join('/')];
  });
}

/** Reads files once and remembers their anchors. */
class Anchors {
  private readonly cache = new Map<string, Set<string>>();
  of(path: string): Set<string> {
    let anchors = this.cache.get(path);
    if (!anchors) {
      anchors = anchorsOf(readFileSync(path, 'utf8'));
      this.cache.set(path, anchors);
    }
    return anchors;
  }
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** Why a target (path and optional anchor, already resolved to an absolute path) fails, if it does. */
function problemWith(root: string, path: string, anchor: string | undefined, anchors: Anchors): string | undefined {
  if (!inside(root, path)) return 'points outside the repository';
  if (!existsSync(path)) return 'no such file or directory';
  if (anchor && isFile(path) && extname(path) === '.md' && !anchors.of(path).has(anchor.toLowerCase())) return `no heading or anchor "#${anchor}" in ${relative(root, path)}`;
  return undefined;
}

/** Relative links of every Markdown file that do not resolve. */
export function brokenMarkdownLinks(root: string, files: readonly string[]): BrokenLink[] {
  const anchors = new Anchors();
  const broken: BrokenLink[] = [];
  for (const file of files.filter((f) => f.endsWith('.md'))) {
    const absolute = join(root, file);
    for (const { target, line } of linksOf(readFileSync(absolute, 'utf8'))) {
      if (isExternal(target)) continue;
      const [rawPath = '', rawAnchor] = target.split('#', 2);
      const path = decode(rawPath.split('?')[0] ?? '');
      const resolved = path === '' ? absolute : path.startsWith('/') ? join(root, path) : resolve(dirname(absolute), path);
      const reason = problemWith(root, resolved, rawAnchor ? decode(rawAnchor) : undefined, anchors);
      if (reason) broken.push({ file, line, target, reason });
    }
  }
  return broken;
}

const CODE_FILE = /\.(ts|mts|cts|mjs|cjs|js|sh|ya?ml)$|(^|\/)Dockerfile[^/]*$/;
/** This suite's own sources hold broken citations on purpose, as test data. */
const OWN_SOURCES = 'tests/docs/';
/**
 * A Markdown document named in code: `docs/operations.md`, `../README.md#anchor`, `ADR.md`.
 * It must not continue a longer word or URL (`https://host/x.md` is not a citation of `x.md`).
 */
const CITATION = /(?<![\w./:@-])((?:\.{1,2}\/)*(?:[\w.-]+\/)*[\w-][\w.-]*\.md)(?:#([\w-]+))?(?!\w|\.\w)/g;
/** Any path into a `docs/` folder (`docs/adr/0004`, `docs/images/`), Markdown or not. */
const DOCS_PATH = /(?<![\w./:@-])((?:[\w-]+\/)*docs\/[\w./-]*[\w-])(?!\w)/g;

/**
 * Whether `path` exists, or names exactly one file of its folder by the start of its name: the
 * short form `docs/adr/0004` of `docs/adr/0004-redis-appendfsync-always.md`.
 */
function existsOrShortForm(path: string): boolean {
  if (existsSync(path)) return true;
  const dir = dirname(path);
  const prefix = `${basename(path)}-`;
  return statSync(dir, { throwIfNoEntry: false })?.isDirectory() === true && readdirSync(dir).filter((n) => n.startsWith(prefix)).length === 1;
}

/** Folders a citation in `file` may be relative to: its own, then each one above it up to the root. */
function foldersUp(root: string, file: string): string[] {
  const folders: string[] = [];
  for (let dir = dirname(join(root, file)); inside(root, dir); dir = dirname(dir)) {
    folders.push(dir);
    if (dir === root) break;
  }
  return folders;
}

/**
 * Markdown documents cited in code, scripts and manifests that do not exist (or lack the
 * anchor). A path is read from the citing file's folder or any folder above it (a package
 * cites `docs/rules.md` from its own root, the docs cite `packages/check/README.md` from the
 * repository's); a bare name must be the name of some file of the repository. Paths into a
 * `docs/` folder that are not Markdown (`docs/images/x.png`, the short form `docs/adr/0004`)
 * must exist too.
 */
export function brokenCodeCitations(root: string, files: readonly string[]): BrokenLink[] {
  const anchors = new Anchors();
  const names = new Set(files.map((f) => basename(f)));
  const broken: BrokenLink[] = [];
  for (const file of files.filter((f) => CODE_FILE.test(f) && !f.startsWith(OWN_SOURCES))) {
    const absolute = join(root, file);
    const folders = foldersUp(root, file);
    for (const [i, text] of readFileSync(absolute, 'utf8').split('\n').entries()) {
      for (const m of text.matchAll(CITATION)) {
        const cited = m[1] ?? '';
        const anchor = m[2];
        // `./x.md` and `../x.md` are relative to the file's folder only.
        const candidates = cited.startsWith('.') ? [resolve(dirname(absolute), cited)] : folders.map((dir) => join(dir, cited));
        const found = candidates.find((c) => inside(root, c) && isFile(c));
        let reason: string | undefined;
        if (found) reason = problemWith(root, found, anchor, anchors);
        else if (cited.includes('/')) reason = 'no such file in this folder or any folder above it';
        else if (!names.has(cited)) reason = 'no file of that name in the repository';
        if (reason) broken.push({ file, line: i + 1, target: anchor ? `${cited}#${anchor}` : cited, reason });
      }
      for (const m of text.matchAll(DOCS_PATH)) {
        const cited = m[1] ?? '';
        if (cited.endsWith('.md')) continue; // a Markdown citation, checked above
        if (!folders.some((dir) => inside(root, join(dir, cited)) && existsOrShortForm(join(dir, cited)))) {
          broken.push({ file, line: i + 1, target: cited, reason: 'no such file or folder in this folder or any folder above it' });
        }
      }
    }
  }
  return broken;
}

export function formatBroken(links: readonly BrokenLink[]): string {
  return links.map((l) => `${l.file}:${l.line}: ${l.target}: ${l.reason}`).join('\n');
}
