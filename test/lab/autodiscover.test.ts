import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'undici';
import { startLab, type LabHandle } from '../../src/lab/lab.ts';
import { parseXml } from '../../src/lab/xml/parse-xml.ts';
import { basic, post } from './support/ews-http.ts';
import { ALEX, SERVICE } from './support/lab-fixture.ts';
import { readFileSync } from 'node:fs';
import { conformancePath, conformanceSkip } from '../support/env.ts';
import { missingPaths } from './support/shape.ts';

const NS = 'http://schemas.microsoft.com/exchange/2010/Autodiscover';

function soapRequest(mailbox: string, settings: string[]): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:a="${NS}" xmlns:wsa="http://www.w3.org/2005/08/addressing" xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">` +
    `<soap:Header><a:RequestedServerVersion>Exchange2013</a:RequestedServerVersion><wsa:Action>${NS}/Autodiscover/GetUserSettings</wsa:Action></soap:Header>` +
    `<soap:Body><a:GetUserSettingsRequestMessage><a:Request><a:Users><a:User><a:Mailbox>${mailbox}</a:Mailbox></a:User></a:Users><a:RequestedSettings>` +
    settings.map((s) => `<a:Setting>${s}</a:Setting>`).join('') +
    `</a:RequestedSettings></a:Request></a:GetUserSettingsRequestMessage></soap:Body></soap:Envelope>`
  );
}

function poxRequest(address: string): string {
  return `<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request><EMailAddress>${address}</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>`;
}

describe('lab Autodiscover (SOAP and POX), with redirects', () => {
  let lab: LabHandle;
  let agent: Agent;
  const auth = basic(SERVICE.user, SERVICE.password);
  before(async () => {
    lab = await startLab();
    lab.api.addMailbox({ smtp: 'dana@fabrikam.lab', displayName: 'Dana Fabrikam', userName: 'dana', password: 'Lab-Dana-2026!' });
    agent = new Agent({ connect: { ca: lab.caCertPem } });
  });
  after(async () => {
    await agent.close();
    await lab.close();
  });

  it('GetUserSettings returns the EWS URLs, display name and version, and names settings it does not know', async () => {
    const r = await post(lab.autodiscoverUrl, agent, soapRequest(ALEX, ['UserDisplayName', 'ExternalEwsUrl', 'InternalEwsUrl', 'CasVersion', 'NoSuchSetting']), auth);
    assert.equal(r.status, 200);
    parseXml(r.body);
    assert.match(r.body, /<ErrorCode>NoError<\/ErrorCode><ErrorMessage>No error\.<\/ErrorMessage><RedirectTarget i:nil="true"\/>/);
    assert.match(r.body, new RegExp(`<Name>ExternalEwsUrl</Name><Value>${lab.ewsUrl}</Value>`));
    assert.match(r.body, /<Name>UserDisplayName<\/Name><Value>Alex Wilber<\/Value>/);
    assert.match(r.body, /<Name>CasVersion<\/Name><Value>15\.02\.1544\.004<\/Value>/);
    assert.match(r.body, /<UserSettingError><ErrorCode>InvalidSetting<\/ErrorCode>.*<SettingName>NoSuchSetting<\/SettingName>/);
  });

  it('answers RedirectAddress for the legacy domain and RedirectUrl for the other lab domain', async () => {
    const addr = await post(lab.autodiscoverUrl, agent, soapRequest('alex.wilber@legacy.contoso.lab', ['ExternalEwsUrl']), auth);
    assert.match(addr.body, /<ErrorCode>RedirectAddress<\/ErrorCode><ErrorMessage>Redirection address\.<\/ErrorMessage><RedirectTarget>alex\.wilber@contoso\.lab<\/RedirectTarget>/);
    const url = await post(lab.autodiscoverUrl, agent, soapRequest('dana@fabrikam.lab', ['ExternalEwsUrl']), auth);
    const target = /<RedirectTarget>([^<]+)<\/RedirectTarget>/.exec(url.body)?.[1];
    assert.equal(target, `${lab.baseUrl}/redirected/autodiscover/autodiscover.svc`);
    const followed = await post(target!, agent, soapRequest('dana@fabrikam.lab', ['ExternalEwsUrl', 'UserDisplayName']), auth);
    assert.match(followed.body, /<Name>UserDisplayName<\/Name><Value>Dana Fabrikam<\/Value>/);
    const unknown = await post(lab.autodiscoverUrl, agent, soapRequest('ghost@contoso.lab', ['ExternalEwsUrl']), auth);
    assert.match(unknown.body, /<ErrorCode>InvalidUser<\/ErrorCode>/);
  });

  it('POX: settings, redirectAddr, redirectUrl and the error form', async () => {
    const ok = await post(lab.autodiscoverXmlUrl, agent, poxRequest(ALEX), auth);
    assert.match(ok.body, /<Action>settings<\/Action>/);
    assert.match(ok.body, new RegExp(`<EwsUrl>${lab.ewsUrl}</EwsUrl>`));
    const addr = await post(lab.autodiscoverXmlUrl, agent, poxRequest('alex.wilber@legacy.contoso.lab'), auth);
    assert.match(addr.body, /<Action>redirectAddr<\/Action><RedirectAddr>alex\.wilber@contoso\.lab<\/RedirectAddr>/);
    const url = await post(lab.autodiscoverXmlUrl, agent, poxRequest('dana@fabrikam.lab'), auth);
    assert.match(url.body, new RegExp(`<Action>redirectUrl</Action><RedirectUrl>${lab.baseUrl}/redirected/autodiscover/autodiscover.xml</RedirectUrl>`));
    const bad = await post(lab.autodiscoverXmlUrl, agent, '<Autodiscover/>', auth);
    assert.match(bad.body, /<ErrorCode>600<\/ErrorCode><Message>Invalid Request<\/Message>/);
  });

  it('answers the kit\'s published requests in the shape of the published responses', { skip: conformanceSkip() }, async () => {
    // Substitutions: the sample users' addresses -> lab users; the docs' https:// namespace -> http://.
    const read = (name: string): string => readFileSync(conformancePath(`autodiscover/${name}`), 'utf8');
    const fix = (xml: string): string => xml.replace(/https:\/\/schemas\.(xmlsoap\.org|microsoft\.com)\//g, 'http://schemas.$1/');
    const pairs: Array<[string, string, string, string]> = [
      ['SOAP-GetUserSettings-request.xml', 'SOAP-GetUserSettings-response.xml', 'UserName@domain.contoso.com', ALEX],
      ['SOAP-GetUserSettings-EwsUrl-request.xml', 'SOAP-GetUserSettings-EwsUrl-ExternalEwsUrl-response.xml', 'User1@Contoso.com', ALEX],
      ['SOAP-GetUserSettings-request.xml', 'SOAP-GetUserSettings-error-response.xml', 'UserName@domain.contoso.com', 'alex.wilber@legacy.contoso.lab'],
      ['POX-request.xml', 'POX-response.xml', 'user@contoso.com', ALEX],
      ['POX-request.xml', 'POX-error-response.xml', 'user@contoso.com', 'ghost@contoso.lab'],
    ];
    for (const [request, response, from, to] of pairs) {
      const url = request.startsWith('POX') ? lab.autodiscoverXmlUrl : lab.autodiscoverUrl;
      const r = await post(url, agent, fix(read(request)).split(from).join(to), auth);
      assert.equal(r.status, 200, request);
      // Unified Messaging (UMUrl) is gone from Exchange 2019, the version the lab plays.
      const missing = missingPaths(read(response), r.body).filter((p) => p !== '/Response/Account/Protocol/UMUrl');
      assert.deepEqual(missing, [], `${request} -> ${response}: ${r.body}`);
    }
  });

  it('can fail on demand (503, dropped connection) for the next requests', async () => {
    lab.api.inject({ kind: 'http503', operation: 'Autodiscover', times: 1 });
    assert.equal((await post(lab.autodiscoverUrl, agent, soapRequest(ALEX, ['ExternalEwsUrl']), auth)).status, 503);
    lab.api.inject({ kind: 'drop', operation: 'Autodiscover', times: 1 });
    await assert.rejects(post(lab.autodiscoverXmlUrl, agent, poxRequest(ALEX), auth));
    assert.equal((await post(lab.autodiscoverUrl, agent, soapRequest(ALEX, ['ExternalEwsUrl']), auth)).status, 200);
  });

  it('requires authentication like EWS', async () => {
    const r = await post(lab.autodiscoverUrl, agent, soapRequest(ALEX, ['ExternalEwsUrl']), undefined);
    assert.equal(r.status, 401);
  });
});
