/**
 * A private certificate authority for TLS tests and a TLS local run: a CA, a server certificate
 * for 127.0.0.1 and localhost, and a client certificate, made with the openssl command line.
 * Keys are mode 0600. Nothing here is meant for a deployment, whose certificates come from its
 * own CA (cert-manager, a cloud CA) as Secrets.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MissingBinaryError, onPath } from './binaries.js';

export interface TlsFiles {
  /** The CA certificate clients trust (REDIS_TLS_CA, POSTGRES_SSL_CA). */
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

function openssl(args: string[], cwd: string): void {
  if (!onPath('openssl')) throw new MissingBinaryError('openssl was not found on PATH; it makes the test certificates (Debian/Ubuntu: apt-get install openssl)');
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

/** A CA (`<name>-ca.pem`) and its key, valid for `days`. */
function makeCa(dir: string, name: string, days: number): { cert: string; key: string } {
  const cert = join(dir, `${name}-ca.pem`);
  const key = join(dir, `${name}-ca.key`);
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', String(days), '-subj', `/CN=${name} test CA`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  return { cert, key };
}

function issue(dir: string, ca: { cert: string; key: string }, name: string, cn: string, extensions: string, days: number): { cert: string; key: string } {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.pem`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, extensions);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${cn}`], dir);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', cert, '-days', String(days), '-extfile', ext], dir);
  chmodSync(key, 0o600);
  return { cert, key };
}

/** Makes (or reuses) the files in `dir`. */
export function makeTlsFiles(dir: string, days = 30): TlsFiles {
  mkdirSync(dir, { recursive: true });
  const files: TlsFiles = {
    ca: join(dir, 'bernstein-ca.pem'),
    serverCert: join(dir, 'server.pem'),
    serverKey: join(dir, 'server.key'),
    clientCert: join(dir, 'client.pem'),
    clientKey: join(dir, 'client.key'),
  };
  if ([files.ca, files.serverCert, files.serverKey, files.clientCert, files.clientKey].every((f) => existsSync(f))) return files;
  const ca = makeCa(dir, 'bernstein', days);
  chmodSync(ca.key, 0o600);
  issue(dir, ca, 'server', 'localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n', days);
  issue(dir, ca, 'client', 'bernstein-client', 'extendedKeyUsage=clientAuth\n', days);
  return files;
}

/** Another CA, unrelated to the one the servers' certificates come from: clients trusting it must refuse. */
export function makeOtherCa(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const ca = makeCa(dir, 'other', 30);
  chmodSync(ca.key, 0o600);
  return ca.cert;
}
