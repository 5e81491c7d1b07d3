/**
 * The roots every outbound TLS connection trusts: Node's bundled Mozilla roots, the operating
 * system's store (so a CA an administrator added to the machine counts, as it does for other
 * software there), NODE_EXTRA_CA_CERTS, plus what the caller adds (a profile's trusted CA bundle
 * for an on-premises server, the lab's CA). Giving `ca` to a TLS connection replaces Node's
 * defaults, so all of them are listed here once. Read once per process.
 */
import { existsSync, readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';

/** Where Debian/Ubuntu, RHEL/Fedora, SUSE and Alpine keep the system bundle; SSL_CERT_FILE first. */
const systemBundles = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/ca-bundle.pem', '/etc/ssl/cert.pem'];

let machineRoots: string[] | undefined;

function pemBlocks(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

function readIfPresent(path: string | undefined): string[] {
  if (path === undefined || path === '' || !existsSync(path)) return [];
  try {
    return pemBlocks(readFileSync(path, 'utf8'));
  } catch {
    return [];
  }
}

/** Node's roots, the system bundle and NODE_EXTRA_CA_CERTS, without duplicates. */
export function machineTrustRoots(env: NodeJS.ProcessEnv = process.env): string[] {
  if (machineRoots !== undefined && env === process.env) return machineRoots;
  const fromEnv = readIfPresent(env['SSL_CERT_FILE']);
  const system = fromEnv.length > 0 ? fromEnv : readIfPresent(systemBundles.find((p) => existsSync(p)));
  const normalize = (pem: string) => pem.replace(/\r/g, '').trim();
  const roots = [...new Set([...rootCertificates, ...system, ...readIfPresent(env['NODE_EXTRA_CA_CERTS'])].map(normalize))];
  if (env === process.env) machineRoots = roots;
  return roots;
}

/** The machine's roots plus the given CA bundles (each may hold several certificates). */
export function trustRoots(extra: ReadonlyArray<string> = []): string[] {
  return [...machineTrustRoots(), ...extra];
}
