/**
 * The kit's Entra samples (../shared/conformance/oauth, read as published): our error mapping reads
 * Microsoft's error bodies, the lab Entra answers in the same shapes, and the token requests msal-node
 * makes through our token source carry the parameters of Microsoft's documented requests.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'undici';
import { conformancePath, conformanceSkip } from '../support/env.ts';
import { seededRandom } from '../../src/clock.ts';
import { mapEntraError } from '../../src/auth/entra/map-entra-error.ts';
import { createClientAssertion } from '../../src/auth/entra/client-assertion.ts';
import { createTrustingAgent } from '../../src/auth/entra/undici-network-client.ts';
import { EntraTokenSource } from '../../src/auth/entra/entra-token-source.ts';
import { loadCertificate } from '../../src/auth/certificate/load-certificate.ts';
import { JWT_BEARER } from '../../src/lab/entra/check-client-credential.ts';
import { EXO_APP, KV_APP, KV_SECRET, TENANT, startModernAuthLab, type ModernAuthLab } from '../auth/modern-auth-lab.ts';

const read = (name: string) => readFileSync(conformancePath(`oauth/${name}`), 'utf8');
const json = (name: string) => JSON.parse(read(name)) as Record<string, unknown>;

/** Form parameters of a published .http request: the body after the blank line, one `&name=value` per line, comments stripped. */
function httpSampleParameters(name: string): URLSearchParams {
  const text = read(name).replace(/\r/g, '');
  const body = text.slice(text.indexOf('\n\n') + 2);
  return new URLSearchParams(body.split('\n').map((line) => line.trim()).filter(Boolean).join(''));
}

/** The published decoded assertion: header JSON, ".", claims JSON, ".", signature placeholder. */
function decodedSample(name: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [header, payload] = read(name).split(/\n\.\n/);
  return { header: JSON.parse(header!), payload: JSON.parse(payload!) };
}

describe('Entra OAuth samples as published', { skip: conformanceSkip() }, () => {
  let lab: ModernAuthLab;
  const agent = () => createTrustingAgent([lab.ca.caCertPem]);
  before(async () => {
    lab = await startModernAuthLab();
  });
  after(async () => {
    await lab.close();
  });

  const post = async (path: string, form: URLSearchParams) => {
    const dispatcher = agent();
    try {
      const response = await request(`${lab.entra.url}${path}`, { method: 'POST', dispatcher, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
      return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
    } finally {
      await dispatcher.close();
    }
  };

  for (const sample of ['error-response-format-with-error_uri.json', 'v2-token-response-error-invalid_scope.json']) {
    it(`maps ${sample} to an invalid-scope auth error keeping AADSTS70011`, () => {
      const body = json(sample);
      const mapped = mapEntraError({ method: 'POST', url: 'https://login.microsoftonline.com/t/oauth2/v2.0/token', status: 400, headers: {}, errorBody: body }, undefined, { clientId: 'c', tenantId: 't', scope: 's', purpose: 'graph' });
      assert.equal(mapped.code, 'entra_invalid_scope');
      assert.equal(mapped.kind, 'auth');
      assert.equal(mapped.providerCode, 'AADSTS70011');
      assert.equal(mapped.providerMessage, String(body['error_description']).split('\r\n')[0]);
    });
  }

  it('answers errors in the published shape: same members, description lines, timestamp format', async () => {
    const published = json('error-response-format-with-error_uri.json');
    const form = new URLSearchParams({ client_id: KV_APP, client_secret: KV_SECRET, grant_type: 'client_credentials', scope: 'https://example.contoso.com/activity.read' });
    const { status, body } = await post(`/${TENANT}/oauth2/v2.0/token`, form);
    assert.equal(status, 400);
    assert.deepEqual(Object.keys(body).sort(), Object.keys(published).sort());
    assert.equal(body['error'], 'invalid_scope');
    assert.deepEqual(body['error_codes'], [70011]);
    const lines = String(body['error_description']).split('\r\n');
    const publishedLines = String(published['error_description']).split('\r\n');
    assert.equal(lines.length, publishedLines.length);
    assert.match(lines[0]!, /^AADSTS70011: /);
    assert.equal(lines[1], `Trace ID: ${String(body['trace_id'])}`);
    assert.equal(lines[2], `Correlation ID: ${String(body['correlation_id'])}`);
    assert.equal(lines[3], `Timestamp: ${String(body['timestamp'])}`);
    // Same format as the published "2016-01-09 02:02:12Z".
    assert.match(String(published['timestamp']), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    assert.match(String(body['timestamp']), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
  });

  it('accepts the published v2 secret request (with our app) and answers like the published success', async () => {
    const sample = httpSampleParameters('v2-token-request-client-credentials-secret.http');
    assert.deepEqual([...sample.keys()].sort(), ['client_id', 'client_secret', 'grant_type', 'scope']);
    sample.set('client_id', KV_APP);
    sample.set('client_secret', KV_SECRET);
    const { status, body } = await post(`/${TENANT}/oauth2/v2.0/token`, sample);
    assert.equal(status, 200);
    const published = json('v2-token-response-success.json');
    for (const [key, value] of Object.entries(published)) assert.equal(typeof body[key], typeof value, key);
    assert.equal(body['token_type'], 'Bearer');
  });

  it('accepts the published v2 certificate request shape with our assertion', async () => {
    const sample = httpSampleParameters('v2-token-request-client-credentials-certificate.http');
    assert.equal(sample.get('client_assertion_type'), JWT_BEARER);
    const exo = lab.ca.issueClientCert('conformance');
    lab.entra.directory.addApp(TENANT, { clientId: EXO_APP, certificates: [exo.certPem] });
    sample.set('client_id', EXO_APP);
    sample.set('client_assertion', createClientAssertion({ clientId: EXO_APP, audience: `${lab.entra.url}/${TENANT}/oauth2/v2.0/token`, certificate: loadCertificate({ format: 'pem', pem: exo.keyPem + exo.certPem }), includeX5c: false, clock: lab.clock, random: seededRandom(3) }));
    const { status } = await post(`/${TENANT}/oauth2/v2.0/token`, sample);
    assert.equal(status, 200);
  });

  it('answers the v1 endpoint like the published v1 success (string-typed times, resource echoed)', async () => {
    const sample = httpSampleParameters('v1-token-request-client-credentials-secret-resource.http');
    sample.set('client_id', KV_APP);
    sample.set('client_secret', KV_SECRET);
    sample.set('resource', 'https://vault.azure.net');
    const { status, body } = await post(`/${TENANT}/oauth2/token`, sample);
    assert.equal(status, 200);
    const published = json('v1-token-response-success.json');
    assert.deepEqual(Object.keys(body).sort(), Object.keys(published).sort());
    for (const [key, value] of Object.entries(published)) assert.equal(typeof body[key], typeof value, key);
    assert.equal(body['resource'], 'https://vault.azure.net');
  });

  it('builds assertions with the header and claims of the published PS256 / x5t#S256 example', async () => {
    const sample = decodedSample('client-assertion-decoded-PS256-x5tS256.txt');
    const encodedHeader = JSON.parse(Buffer.from(read('client-assertion-encoded-example-PS256.txt').replace(/^"/, '').split('.')[0]!, 'base64url').toString());
    assert.equal(encodedHeader.alg, 'PS256');
    assert.ok('x5t#S256' in encodedHeader);
    const issued = lab.ca.issueClientCert('claims');
    const ours = createClientAssertion({ clientId: 'c', audience: 'a', certificate: loadCertificate({ format: 'pem', pem: issued.keyPem + issued.certPem }), includeX5c: false, clock: lab.clock, random: seededRandom(5) });
    const [h, p] = ours.split('.');
    const header = JSON.parse(Buffer.from(h!, 'base64url').toString());
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    assert.deepEqual(Object.keys(header).sort(), Object.keys(sample.header).sort());
    assert.equal(header.alg, sample.header['alg']);
    assert.equal(header.typ, sample.header['typ']);
    for (const claim of Object.keys(sample.payload)) assert.ok(claim in payload, claim);
    // The RS256 / x5t sample is the older page's; we follow the current one and never send x5t.
    assert.ok('x5t' in decodedSample('client-assertion-decoded-RS256-x5t.txt').header);
    assert.ok(!('x5t' in header));
  });

  it('makes msal-node send the parameters of the published requests (secret and certificate)', async () => {
    const secretSource = new EntraTokenSource({ ...lab.env(), authorityHost: lab.entra.url, knownAuthority: true, tenantId: TENANT, clientId: KV_APP, scope: 'https://vault.azure.net/.default', credential: { kind: 'secret', secret: KV_SECRET }, purpose: 'keyvault' });
    await secretSource.getToken();
    await secretSource.close();
    const sent = lab.entra.tokenRequestParameters.at(-1)!;
    for (const name of httpSampleParameters('v2-token-request-client-credentials-secret.http').keys()) assert.ok(sent.includes(name), name);

    const issued = lab.ca.issueClientCert('msal');
    lab.entra.directory.registerCertificate(TENANT, EXO_APP, issued.certPem);
    const loaded = loadCertificate({ format: 'pem', pem: issued.keyPem + issued.certPem });
    const certSource = new EntraTokenSource({ ...lab.env(), authorityHost: lab.entra.url, knownAuthority: true, tenantId: TENANT, clientId: EXO_APP, scope: 'https://graph.microsoft.com/.default', credential: { kind: 'certificate', current: async () => loaded }, purpose: 'graph' });
    await certSource.getToken();
    await certSource.close();
    const sentWithCert = lab.entra.tokenRequestParameters.at(-1)!;
    for (const name of httpSampleParameters('v2-token-request-client-credentials-certificate.http').keys()) assert.ok(sentWithCert.includes(name), name);
    assert.ok(!sentWithCert.includes('client_secret'));
  });
});
