/**
 * Outbound TLS trusts the machine's roots: Node's bundle, the operating system's store
 * (SSL_CERT_FILE or the distribution's bundle) and NODE_EXTRA_CA_CERTS, plus a profile's own CA
 * bundle. A CA an administrator added to the machine is enough to reach an on-premises Exchange
 * that uses it, without repeating it in every profile.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { machineTrustRoots } from '../../src/auth/trust-roots.ts';
import { systemClock, systemRandom } from '../../src/clock.ts';
import { EwsDriver } from '../../src/exchange/ews/driver.ts';
import { createEwsTransport } from '../../src/exchange/ews/transport.ts';
import { startLab, type LabHandle } from '../../src/lab/lab.ts';

describe('the roots outbound TLS trusts', () => {
  let dir: string;
  let lab: LabHandle;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dovetail-roots-'));
    lab = await startLab({ authSchemes: ['Basic'] });
  });
  after(async () => {
    await lab?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("adds the system bundle and NODE_EXTRA_CA_CERTS to Node's roots, once each", () => {
    const system = join(dir, 'system.pem');
    const extra = join(dir, 'extra.pem');
    writeFileSync(system, `${rootCertificates[0]}\n${lab.caCertPem}`);
    writeFileSync(extra, lab.caCertPem);
    const roots = machineTrustRoots({ SSL_CERT_FILE: system, NODE_EXTRA_CA_CERTS: extra });
    const labCa = lab.caCertPem.replace(/\r/g, '').trim();
    assert.equal(roots.filter((r) => r === labCa).length, 1, 'the lab CA, given twice, is trusted once');
    assert.equal(roots.length, new Set(rootCertificates).size + 1);
    assert.deepEqual(machineTrustRoots({ SSL_CERT_FILE: join(dir, 'missing.pem'), NODE_EXTRA_CA_CERTS: '' }).filter((r) => r === labCa), [], 'nothing else adds it');
  });

  it('reaches an Exchange whose CA is only in the machine store, with no CA bundle in the profile', async () => {
    const system = join(dir, 'machine-store.pem');
    writeFileSync(system, lab.caCertPem);
    process.env['SSL_CERT_FILE'] = system; // read at the first connection of this process
    const transport = createEwsTransport({ auth: { type: 'basic', username: 'svc-dovetail@contoso.lab', password: 'Lab-Service-2026!' }, maxConnections: 2, clock: systemClock, random: systemRandom });
    const driver = new EwsDriver({ transport, url: lab.ewsUrl, clock: systemClock, random: systemRandom, maxConcurrent: 2, timeoutMs: 10_000, impersonation: true });
    try {
      const inbox = await driver.getFolder('alex.wilber@contoso.lab', 'inbox');
      assert.equal(inbox.wellKnown, 'inbox');
    } finally {
      await driver.close();
      await transport.close();
    }
  });
});
