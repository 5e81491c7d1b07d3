import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../errors.ts';
import { profileDefaults, serverLocation, splitAuthInput, validateProfile, type ProfileAuthInput, type ProfileFields, type ServerType } from './profile.ts';
import type { ProfileSecretField } from './profile-auth.ts';

const GUID1 = '0f1e2d3c-4b5a-4697-8877-665544332211';
const GUID2 = '1a2b3c4d-5e6f-4a0b-9c8d-7e6f5a4b3c2d';
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';

const credentials: ProfileAuthInput = { type: 'credentials', protocol: 'ntlm', userName: 'CONTOSO\\svc', password: 'pw' };
const hma: ProfileAuthInput = {
  type: 'hybrid-modern-auth', ewsUrl: 'https://mail.contoso.com/EWS/Exchange.asmx', aadResourceId: 'https://mail.contoso.com', tenantId: GUID1,
  hmaApplicationId: GUID1, keyVaultUri: 'https://contoso.vault.azure.net/', keyVaultKeyName: 'HMA-Cert', keyVaultApplicationId: GUID2, keyVaultClientSecret: 'kvs',
};
const appCert: ProfileAuthInput = { type: 'app-certificate', tenantId: 'contoso.onmicrosoft.com', applicationId: GUID1, cloud: 'global', certificateSource: 'pem', certificate: PEM };

type Overrides = Partial<Omit<ProfileFields, 'auth'>>;
type Opts = { alreadySet?: ProfileSecretField[]; defaultTenant?: boolean; serverType?: ServerType };

/** Field -> rule of every issue, or {} when valid. */
function rules(authInput: Record<string, unknown>, overrides: Overrides = {}, opts: Opts = {}): Record<string, string> {
  const present = Object.fromEntries(Object.entries(authInput).filter(([, v]) => v !== undefined));
  const { auth, secrets } = splitAuthInput(present as ProfileAuthInput);
  const serverType = opts.serverType ?? (auth.type === 'app-certificate' ? 'exchange-online' : 'exchange-server');
  const fields: ProfileFields = { ...profileDefaults(auth), name: 'Profile', serverType, auth, ...overrides };
  const err = validateProfile(fields, secrets, { secretsAlreadySet: new Set(opts.alreadySet ?? []), defaultTenantIdSet: opts.defaultTenant ?? false });
  if (err === undefined) return {};
  assert.ok(err instanceof ValidationError);
  return Object.fromEntries(err.issues.map((i) => [i.field, i.rule]));
}

describe('email server profile validation', () => {
  it('accepts each auth type with its seed fields and defaults', () => {
    assert.deepEqual(rules(credentials), {});
    assert.deepEqual(rules({ ...credentials, protocol: 'basic' }), {});
    assert.deepEqual(rules(hma), {});
    assert.deepEqual(rules(appCert), {});
    assert.deepEqual(rules({ ...appCert, tenantId: undefined, useDefaultTenantId: true }, {}, { defaultTenant: true }), {});
    const { certificate: _c, ...kvBase } = appCert;
    assert.deepEqual(
      rules({ ...kvBase, certificateSource: 'key-vault', keyVaultUri: 'https://kv.vault.azure.net', keyVaultKeyName: 'cert', keyVaultApplicationId: GUID2, keyVaultClientSecret: 's' }),
      {},
    );
  });

  it('applies Dynamics defaults: 10 connections, 0-minute polling floor, 100 s timeout, Autodiscover on except for HMA', () => {
    const d = profileDefaults(splitAuthInput(credentials).auth);
    assert.equal(d.maximumConcurrentConnections, 10);
    assert.equal(d.minimumPollingIntervalMinutes, 0);
    assert.equal(d.connectionTimeoutSeconds, 100);
    assert.equal(d.autodiscover, true);
    assert.equal(d.incomingPort, 443);
    assert.equal(d.moveFailedToUndeliverable, false);
    assert.equal(profileDefaults(splitAuthInput(hma).auth).autodiscover, false);
  });

  it('names the field and the rule, with the range in the message', () => {
    const { auth, secrets } = splitAuthInput(credentials);
    const err = validateProfile({ ...profileDefaults(auth), name: 'P', serverType: 'exchange-server', auth, minimumPollingIntervalMinutes: 2000 }, secrets, {
      secretsAlreadySet: new Set(), defaultTenantIdSet: false,
    });
    assert.equal(err?.message, 'minimumPollingIntervalMinutes: must be between 0 and 1440');
    assert.equal(err?.code, 'validation_failed');
  });

  it('checks every general and advanced field', () => {
    const cases: Array<[Overrides, string, string]> = [
      [{ name: '' }, 'name', 'required'],
      [{ name: 'x'.repeat(101) }, 'name', 'max-length'],
      [{ description: 'x'.repeat(2001) }, 'description', 'max-length'],
      [{ ownerUserId: 'bob' }, 'ownerUserId', 'id'],
      [{ serverType: 'imap' as never }, 'serverType', 'one-of'],
      [{ isDefaultForNewMailboxes: 'yes' as never }, 'isDefaultForNewMailboxes', 'type'],
      [{ autodiscover: false }, 'incomingServerUrl', 'required'],
      [{ autodiscover: false, incomingServerUrl: 'https://a/EWS/Exchange.asmx' }, 'outgoingServerUrl', 'required'],
      [{ autodiscover: false, incomingServerUrl: 'http://mail.contoso.com/EWS/Exchange.asmx', outgoingServerUrl: 'https://a' }, 'incomingServerUrl', 'https'],
      [{ autodiscover: false, incomingServerUrl: 'https://a', outgoingServerUrl: 'not a url' }, 'outgoingServerUrl', 'url'],
      [{ incomingServerUrl: 'https://a' }, 'incomingServerUrl', 'autodiscover-off'],
      [{ incomingPort: 0 }, 'incomingPort', 'range'],
      [{ outgoingPort: 65536 }, 'outgoingPort', 'range'],
      [{ trustedCaBundle: 'not pem' }, 'trustedCaBundle', 'pem'],
      [{ processEmailFrom: 'yesterday' }, 'processEmailFrom', 'date-time'],
      [{ minimumPollingIntervalMinutes: -1 }, 'minimumPollingIntervalMinutes', 'range'],
      [{ minimumPollingIntervalMinutes: 1441 }, 'minimumPollingIntervalMinutes', 'range'],
      [{ minimumPollingIntervalMinutes: 1.5 }, 'minimumPollingIntervalMinutes', 'range'],
      [{ maximumConcurrentConnections: 0 }, 'maximumConcurrentConnections', 'range'],
      [{ maximumConcurrentConnections: 301 }, 'maximumConcurrentConnections', 'range'],
      [{ connectionTimeoutSeconds: 101 }, 'connectionTimeoutSeconds', 'range'],
      [{ connectionTimeoutSeconds: 0 }, 'connectionTimeoutSeconds', 'range'],
      [{ moveFailedToUndeliverable: 1 as never }, 'moveFailedToUndeliverable', 'type'],
      [{ alertOwnerOnMajorEvents: 'no' as never }, 'alertOwnerOnMajorEvents', 'type'],
    ];
    for (const [overrides, field, rule] of cases) {
      assert.equal(rules(credentials, overrides)[field], rule, `${JSON.stringify(overrides)} -> ${field}: ${rule}`);
    }
    // Limits themselves are accepted.
    assert.deepEqual(rules(credentials, { minimumPollingIntervalMinutes: 1440, maximumConcurrentConnections: 300, connectionTimeoutSeconds: 100, processEmailFrom: '2025-01-01T00:00:00Z' }), {});
    assert.deepEqual(rules(credentials, { minimumPollingIntervalMinutes: 0, maximumConcurrentConnections: 1, connectionTimeoutSeconds: 1 }), {});
    assert.deepEqual(rules(credentials, { trustedCaBundle: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' }), {});
    assert.deepEqual(rules(credentials, { autodiscover: false, incomingServerUrl: 'https://mail.contoso.com/EWS/Exchange.asmx', outgoingServerUrl: 'https://mail.contoso.com/EWS/Exchange.asmx', incomingPort: 8443 }), {});
    assert.equal(rules(appCert, { trustedCaBundle: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----' }).trustedCaBundle, 'on-premises-only');
  });

  it('sends the certificate chain only when an Exchange Online profile asks for it', () => {
    assert.deepEqual(rules({ ...appCert, sendCertificateChain: true }), {});
    assert.deepEqual(rules({ ...appCert, sendCertificateChain: 'yes' }), { 'auth.sendCertificateChain': 'type' });
    assert.deepEqual(rules({ ...credentials, sendCertificateChain: true }), { 'auth.sendCertificateChain': 'not-applicable' });
    assert.deepEqual(rules({ ...hma, sendCertificateChain: true }), { 'auth.sendCertificateChain': 'not-applicable' });
    assert.equal((splitAuthInput(appCert).auth as { sendCertificateChain?: boolean }).sendCertificateChain, false, 'off unless asked');
  });

  it('takes a port from the URL or from the port field, and refuses the two when they disagree', () => {
    const manual = { autodiscover: false, incomingServerUrl: 'https://mail.contoso.com:444/EWS/Exchange.asmx', outgoingServerUrl: 'https://smtp.contoso.com:8443/EWS/Exchange.asmx' };
    assert.deepEqual(rules(credentials, { ...manual, incomingPort: 444, outgoingPort: 8443 }), {}, 'the same port in both places');
    assert.deepEqual(rules(credentials, manual), {}, 'the default port field leaves the URL to say it');
    assert.deepEqual(rules(credentials, { ...manual, incomingPort: 8444 }), { incomingPort: 'port-mismatch' });
    assert.deepEqual(rules(credentials, { ...manual, outgoingPort: 9443 }), { outgoingPort: 'port-mismatch' });
    assert.deepEqual(rules({ ...hma, ewsUrl: 'https://mail.contoso.com:444/EWS/Exchange.asmx' }, { autodiscover: false, incomingPort: 8444 }), { incomingPort: 'port-mismatch' });
    assert.equal(serverLocation('https://mail.contoso.com/EWS/Exchange.asmx', 8443), 'https://mail.contoso.com:8443/EWS/Exchange.asmx');
    assert.equal(serverLocation('https://mail.contoso.com/EWS/Exchange.asmx', 443), 'https://mail.contoso.com/EWS/Exchange.asmx');
    assert.equal(serverLocation('https://mail.contoso.com:444/EWS/Exchange.asmx', 8443), 'https://mail.contoso.com:444/EWS/Exchange.asmx', 'the URL names its port');
  });

  it('checks credentials authentication', () => {
    assert.equal(rules({ ...credentials, protocol: 'kerberos' })['auth.protocol'], 'one-of');
    assert.equal(rules({ ...credentials, userName: '' })['auth.userName'], 'required');
    assert.equal(rules({ ...credentials, password: undefined })['auth.password'], 'required');
    assert.deepEqual(rules({ ...credentials, password: undefined }, {}, { alreadySet: ['password'] }), {});
    assert.equal(rules({ ...credentials, password: '' })['auth.password'], 'required');
    assert.equal(rules({ ...credentials, keyVaultClientSecret: 'x' })['auth.keyVaultClientSecret'], 'not-applicable');
    assert.equal(rules(credentials, {}, { serverType: 'exchange-online' })['auth.type'], 'server-type');
  });

  it('checks every Hybrid Modern Auth field', () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ ewsUrl: undefined }, 'auth.ewsUrl', 'required'],
      [{ ewsUrl: 'http://mail.contoso.com/EWS/Exchange.asmx' }, 'auth.ewsUrl', 'https'],
      [{ aadResourceId: undefined }, 'auth.aadResourceId', 'required'],
      [{ aadResourceId: 'mail.contoso.com' }, 'auth.aadResourceId', 'resource'],
      [{ tenantId: undefined }, 'auth.tenantId', 'required'],
      [{ tenantId: 'not a tenant' }, 'auth.tenantId', 'tenant'],
      [{ hmaApplicationId: 'app' }, 'auth.hmaApplicationId', 'guid'],
      [{ keyVaultUri: undefined }, 'auth.keyVaultUri', 'required'],
      [{ keyVaultUri: 'http://contoso.vault.azure.net' }, 'auth.keyVaultUri', 'https'],
      [{ keyVaultKeyName: undefined }, 'auth.keyVaultKeyName', 'required'],
      [{ keyVaultKeyName: 'HMA Cert' }, 'auth.keyVaultKeyName', 'key-vault-name'],
      [{ keyVaultApplicationId: undefined }, 'auth.keyVaultApplicationId', 'required'],
      [{ keyVaultClientSecret: undefined }, 'auth.keyVaultClientSecret', 'required'],
      [{ password: 'x' }, 'auth.password', 'not-applicable'],
    ];
    for (const [patch, field, rule] of cases) {
      assert.equal(rules({ ...hma, ...patch })[field], rule, `${JSON.stringify(patch)} -> ${field}: ${rule}`);
    }
    assert.deepEqual(rules({ ...hma, aadResourceId: GUID2 }), {});
    assert.equal(rules(hma, { autodiscover: true }).autodiscover, 'hma-location');
    assert.equal(rules(hma, {}, { serverType: 'exchange-online' })['auth.type'], 'server-type');
  });

  it('checks every app-only certificate field', () => {
    const cases: Array<[Record<string, unknown>, Opts, string, string]> = [
      [{ tenantId: undefined }, {}, 'auth.tenantId', 'required'],
      [{ tenantId: undefined, useDefaultTenantId: true }, {}, 'auth.useDefaultTenantId', 'default-tenant-set'],
      [{ useDefaultTenantId: true }, { defaultTenant: true }, 'auth.tenantId', 'exclusive'],
      [{ applicationId: 'x' }, {}, 'auth.applicationId', 'guid'],
      [{ cloud: 'mars' }, {}, 'auth.cloud', 'one-of'],
      [{ certificateSource: 'p7b' }, {}, 'auth.certificateSource', 'one-of'],
      [{ certificate: undefined }, {}, 'auth.certificate', 'required'],
      [{ certificate: 'hello' }, {}, 'auth.certificate', 'pem'],
      [{ certificateSource: 'pfx', certificate: 'aGVsbG8=' }, {}, 'auth.certificate', 'pfx'],
      [{ certificatePassword: 'x' }, {}, 'auth.certificatePassword', 'not-applicable'],
      [{ keyVaultUri: 'https://kv.vault.azure.net' }, {}, 'auth.keyVaultUri', 'exclusive'],
      [{ certificateSource: 'key-vault', certificate: undefined, keyVaultClientSecret: 's' }, {}, 'auth.keyVaultUri', 'required'],
    ];
    for (const [patch, opts, field, rule] of cases) {
      assert.equal(rules({ ...appCert, ...patch }, {}, opts)[field], rule, `${JSON.stringify(patch)} -> ${field}: ${rule}`);
    }
    for (const cloud of ['global', 'us-government', 'china']) assert.deepEqual(rules({ ...appCert, cloud }), {});
    // A PFX is base64 DER: it starts with a SEQUENCE (0x30).
    assert.deepEqual(rules({ ...appCert, certificateSource: 'pfx', certificate: Buffer.from([0x30, 0x82, 1, 2]).toString('base64'), certificatePassword: 'p' }), {});
    assert.equal(rules(appCert, {}, { serverType: 'exchange-server' })['auth.type'], 'server-type');
    assert.equal(rules({ type: 'oauth' } as never)['auth.type'], 'one-of');
  });
});

describe('Autodiscover allowed redirect domains', () => {
  const F = 'autodiscoverAllowedRedirectDomains';
  it('defaults to none and accepts domain names on an Exchange Server profile with Autodiscover', () => {
    const { auth } = splitAuthInput(credentials);
    assert.deepEqual(profileDefaults(auth).autodiscoverAllowedRedirectDomains, []);
    assert.deepEqual(rules(credentials, { [F]: ['fabrikam.com', 'mail.contoso-partner.co.uk'] }), {});
  });

  it('refuses what is not a domain name, a repeated domain and too many', () => {
    for (const bad of [['https://fabrikam.com'], ['*.fabrikam.com'], ['fabrikam'], [''], ['fab rikam.com'], [42]]) {
      assert.deepEqual(rules(credentials, { [F]: bad as string[] }), { [F]: 'domain' }, JSON.stringify(bad));
    }
    assert.deepEqual(rules(credentials, { [F]: ['fabrikam.com', 'Fabrikam.com'] }), { [F]: 'unique' });
    assert.deepEqual(rules(credentials, { [F]: Array.from({ length: 51 }, (_, i) => `d${i}.example.com`) }), { [F]: 'max-items' });
    assert.deepEqual(rules(credentials, { [F]: 'fabrikam.com' as never }), { [F]: 'type' });
  });

  it('is only for Exchange Server with Autodiscover on', () => {
    assert.deepEqual(rules(credentials, { [F]: ['fabrikam.com'], autodiscover: false, incomingServerUrl: 'https://mail.contoso.com/EWS/Exchange.asmx', outgoingServerUrl: 'https://mail.contoso.com/EWS/Exchange.asmx' }), { [F]: 'autodiscover-on' });
    assert.deepEqual(rules(hma, { [F]: ['fabrikam.com'] }), { [F]: 'autodiscover-on' });
    assert.deepEqual(rules(appCert, { [F]: ['fabrikam.com'] }), { [F]: 'on-premises-only' });
  });
});
