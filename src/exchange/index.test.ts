import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock, seededRandom } from '../clock.ts';
import { profileDefaults, type EmailServerProfile } from '../domain/profile.ts';
import type { ProfileAuth } from '../domain/profile-auth.ts';
import { isAppError } from '../errors.ts';
import { openDriver, splitDomainUser } from './index.ts';
import { AutodiscoverEwsDriver } from './open-autodiscover.ts';
import { EwsDriver } from './ews/driver.ts';
import { GraphMailboxDriver } from './graph/driver.ts';

const deps = { clock: fixedClock(0), random: seededRandom(1) };
const TENANT = '11111111-2222-3333-4444-555555555555';

function profile(auth: ProfileAuth, fields: Partial<EmailServerProfile> = {}): EmailServerProfile {
  return {
    ...profileDefaults(auth), id: 'p1', name: 'P', serverType: auth.type === 'app-certificate' ? 'exchange-online' : 'exchange-server', auth,
    secretsSet: [], createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', ...fields,
  };
}

const credentials: ProfileAuth = { type: 'credentials', protocol: 'ntlm', userName: 'CONTOSO\\svc' };
const appCertificate: ProfileAuth = {
  type: 'app-certificate', useDefaultTenantId: true, tenantId: null, applicationId: 'cccccccc-0000-4000-8000-00000000000c', cloud: 'global',
  certificateSource: 'key-vault', keyVaultUri: 'https://v.vault.azure.net', keyVaultKeyName: 'c', keyVaultApplicationId: 'aaaaaaaa-0000-4000-8000-00000000000a',
};

describe('openDriver', () => {
  it('opens the EWS driver at the manual URL, or the Autodiscover driver when Autodiscover is on', async () => {
    const manual = openDriver(profile(credentials, { autodiscover: false, incomingServerUrl: 'https://mail.contoso.com/EWS/Exchange.asmx' }), { password: 'x' }, deps);
    assert.ok(manual instanceof EwsDriver);
    await manual.close();
    const discovered = openDriver(profile(credentials, { autodiscover: true }), { password: 'x' }, deps);
    assert.ok(discovered instanceof AutodiscoverEwsDriver);
    await discovered.close();
  });

  it('opens the Graph driver for Exchange Online with the org default tenant, and names what is missing', async () => {
    const graph = openDriver(profile(appCertificate), { keyVaultClientSecret: 's' }, { ...deps, defaultTenantId: TENANT });
    assert.ok(graph instanceof GraphMailboxDriver);
    await graph.close();
    assert.throws(() => openDriver(profile(appCertificate), { keyVaultClientSecret: 's' }, deps), (e) => isAppError(e) && e.code === 'exo_tenant_missing');
    assert.throws(() => openDriver(profile(credentials, { autodiscover: false }), { password: 'x' }, deps), (e) => isAppError(e) && e.code === 'profile_incomplete');
    assert.throws(() => openDriver(profile(credentials, { autodiscover: true }), {}, deps), (e) => isAppError(e) && e.code === 'profile_incomplete' && e.kind === 'auth');
  });

  it('splits DOMAIN\\user for NTLM and keeps UPNs whole', () => {
    assert.deepEqual(splitDomainUser('CONTOSO\\svc'), { domain: 'CONTOSO', username: 'svc' });
    assert.deepEqual(splitDomainUser('svc@contoso.com'), { domain: '', username: 'svc@contoso.com' });
  });
});
