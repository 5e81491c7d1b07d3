/**
 * Every Autodiscover sample Microsoft publishes in the kit, read as published: the XML files and
 * the XML blocks of the ms-docs-source pages. Responses are parsed and their fields asserted;
 * requests are compared element by element with what Dovetail builds. Defects in the published
 * text are named where they are met:
 *  - DEFECT-HTTPS-NS: the docs spell namespace URIs and WS-Addressing actions with "https://schemas…";
 *    servers use "http://schemas…". Dovetail reads by local name and sends the http form.
 *  - DEFECT-TRUNCATED-END: SOAP-GetUserSettings-howto-response.xml ends with "</s:Envelope" (no ">").
 *  - DEFECT-TRUNCATED-START: SOAP-GetDomainSettings-response.xml starts mid-attribute ("//www.w3.org/…").
 *  - DEFECT-STRAY-LT: SOAP-GetDomainSettings-request.xml has "contoso.com<</a:Domain>".
 *  - DEFECT-WRAPPED-ACTION: some wsa:Action values are wrapped across two lines.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { AppError } from '../../src/errors.ts';
import {
  buildGetUserSettingsRequest,
  interpretGetUserSettings,
  parseGetUserSettingsResponse,
} from '../../src/exchange/ews/autodiscover/get-user-settings.ts';
import { buildPoxRequest, decodePoxServerVersion, interpretPox, parsePoxResponse } from '../../src/exchange/ews/autodiscover/pox-autodiscover.ts';
import { readXmlString, type XmlNode } from '../../src/exchange/ews/xml/xml-reader.ts';
import { conformancePath, conformanceSkip } from '../support/env.ts';

const skip = conformanceSkip();
const sample = (name: string): string => readFileSync(conformancePath(`autodiscover/${name}`), 'utf8');
const soap = async (xml: string) => parseGetUserSettingsResponse(await readXmlString(xml));
const pox = async (xml: string) => parsePoxResponse(await readXmlString(xml));

/** Element structure with text of leaves, namespaces and line wrapping dropped (DEFECT-WRAPPED-ACTION). */
function shape(node: XmlNode): unknown {
  return node.children.length > 0 ? { [node.name]: node.children.map(shape) } : { [node.name]: node.text.replace(/\s*\n\s*/g, '').trim() };
}
const httpNs = (s: string): string => s.replace(/https:\/\/schemas\./g, 'http://schemas.').replace(/\s*\n\s*/g, '');

async function rejectsMalformed(xml: string, pattern: RegExp): Promise<void> {
  await assert.rejects(readXmlString(xml), (e: unknown) => e instanceof AppError && e.code === 'ews_malformed_response' && pattern.test(e.message));
}

describe('Autodiscover published samples', { skip }, () => {
  describe('SOAP GetUserSettings responses', () => {
    it('SOAP-GetUserSettings-response.xml: every setting read; no EWS URL was requested, so no settings answer', async () => {
      const r = await soap(sample('SOAP-GetUserSettings-response.xml'));
      assert.equal(r.errorCode, 'NoError');
      assert.equal(r.serverVersionInfo, undefined);
      assert.equal(r.users.length, 1);
      const user = r.users[0]!;
      assert.equal(user.errorCode, 'NoError');
      assert.equal(user.errorMessage, 'No error.');
      assert.equal(user.redirectTarget, undefined);
      assert.deepEqual(user.settings, {
        UserDisplayName: 'UserDisplayName',
        UserDN: '/o=First Organization/ou=Exchange Administrative Group (SDASDASDJ)/cn=Recipients/cn=UserDisplayName',
        UserDeploymentId: 'a40E2742-21c6-4050-8Ed2-d41f100c22b8',
        CasVersion: '14.00.0478.000',
        EwsSupportedSchemas: 'Exchange2007, Exchange2010',
        InternalMailboxServer: 'machinename.domain.contoso.com',
        ActiveDirectoryServer: 'machinename.domain.contoso.com',
        MailboxDN: '/o=First Organization/ou=Exchange Administrative Group (SDASDASDJ)/cn=Configuration/cn=Servers/cn=server/cn=Contoso Pri MDB',
      });
      assert.deepEqual(interpretGetUserSettings(r), { kind: 'error', code: 'NoEwsUrl', message: 'the response names no EWS URL' });
    });

    it('SOAP-GetUserSettings-EwsUrl-ExternalEwsUrl-response.xml: both EWS URLs, server version, external preferred', async () => {
      const r = await soap(sample('SOAP-GetUserSettings-EwsUrl-ExternalEwsUrl-response.xml'));
      assert.deepEqual(r.serverVersionInfo, { majorVersion: 15, minorVersion: 0, majorBuildNumber: 160, minorBuildNumber: 4, version: 'Exchange2013' });
      assert.deepEqual(r.users[0]?.settings, {
        InternalEwsUrl: 'https://server.Contoso.com/ews/exchange.asmx',
        ExternalEwsUrl: 'https://server.Contoso.com/ews/exchange.asmx',
      });
      assert.deepEqual(interpretGetUserSettings(r), {
        kind: 'settings',
        settings: {
          ewsUrl: 'https://server.Contoso.com/ews/exchange.asmx',
          internalEwsUrl: 'https://server.Contoso.com/ews/exchange.asmx',
          externalEwsUrl: 'https://server.Contoso.com/ews/exchange.asmx',
          serverVersion: '15.0.160.4',
        },
      });
    });

    it('SOAP-GetUserSettings-error-response.xml: RedirectAddress to elvin@mail.contoso.com', async () => {
      const r = await soap(sample('SOAP-GetUserSettings-error-response.xml'));
      assert.equal(r.errorCode, 'NoError');
      assert.deepEqual(r.serverVersionInfo, { majorVersion: 14, minorVersion: 3, majorBuildNumber: 136, minorBuildNumber: 1, version: 'Exchange2010_SP2' });
      assert.equal(r.users[0]?.errorCode, 'RedirectAddress');
      assert.equal(r.users[0]?.errorMessage, 'Redirection address.');
      assert.deepEqual(interpretGetUserSettings(r), { kind: 'redirect-address', address: 'elvin@mail.contoso.com' });
    });

    it('SOAP-GetUserSettings-howto-response.xml: refused as published (DEFECT-TRUNCATED-END); with the ">" restored, all fields read', async () => {
      const published = sample('SOAP-GetUserSettings-howto-response.xml');
      assert.match(published, /<\/s:Envelope\s*$/);
      await rejectsMalformed(published, /./);
      const r = await soap(`${published.trimEnd()}>`);
      const settings = r.users[0]!.settings;
      // The response answers exactly the settings the companion request asks for.
      const [request] = await readXmlString(sample('SOAP-GetUserSettings-howto-request.xml'));
      const requested = request!.children[1]!.children[0]!.children[0]!.children[1]!.children.map((c) => c.text);
      assert.deepEqual(Object.keys(settings).sort(), [...requested].sort());
      assert.equal(settings['UserDisplayName'], 'Mara Whitley');
      assert.equal(settings['UserDeploymentId'], '649d50b8-a1ce-4bac-8ace-2321   e463f701');
      assert.equal(settings['EcpDeliveryReportUrlFragment'], 'PersonalSettings/DeliveryReport.aspx?exsvurl=1&amp;IsOWA=&lt;IsOWA&gt;&amp;MsgID=&lt;MsgID&gt;&amp;Mbx=&lt;Mbx&gt;');
      assert.equal(settings['GroupingInformation'], 'CONTOSO-1');
      const answer = interpretGetUserSettings(r);
      assert.deepEqual(answer, {
        kind: 'settings',
        settings: {
          ewsUrl: 'https://mail.contoso.com/EWS/Exchange.asmx',
          externalEwsUrl: 'https://mail.contoso.com/EWS/Exchange.asmx',
          userDisplayName: 'Mara Whitley',
          serverVersion: '15.01.0160.004',
          ewsSupportedSchemas: ['Exchange2007', 'Exchange2007_SP1', 'Exchange2010', 'Exchange2010_SP1', 'Exchange2010_SP2', 'Exchange2013'],
        },
      });
    });

    it('SOAP-GetDomainSettings-response.xml is not well-formed as published (DEFECT-TRUNCATED-START): a clear error, no crash', async () => {
      const published = sample('SOAP-GetDomainSettings-response.xml');
      assert.match(published, /^\/\/www\.w3\.org/);
      await rejectsMalformed(published, /./);
    });
  });

  describe('SOAP GetUserSettings requests: Dovetail builds the same elements', () => {
    for (const name of ['SOAP-GetUserSettings-request.xml', 'SOAP-GetUserSettings-EwsUrl-request.xml', 'SOAP-GetUserSettings-after-redirect-request.xml', 'SOAP-GetUserSettings-howto-request.xml']) {
      it(name, async () => {
        const [published] = await readXmlString(sample(name));
        const body = published!.children.find((c) => c.name === 'Body')!;
        const request = body.children[0]!.children[0]!;
        const mailbox = request.children.find((c) => c.name === 'Users')!.children[0]!.children[0]!.text;
        const settings = request.children.find((c) => c.name === 'RequestedSettings')!.children.map((s) => s.text);
        const to = published!.children.find((c) => c.name === 'Header')!.children.find((c) => c.name === 'To')!.text.trim();
        const [ours] = await readXmlString(buildGetUserSettingsRequest(mailbox, to, settings));
        const normalize = (node: XmlNode): unknown => {
          const s = JSON.stringify(shape(node));
          // Ours asks for Exchange2013 (the oldest server Dovetail supports); DEFECT-HTTPS-NS / DEFECT-WRAPPED-ACTION in the docs.
          return JSON.parse(httpNs(s).replace(/"RequestedServerVersion":"[^"]*"/, '"RequestedServerVersion":"*"'));
        };
        assert.deepEqual(normalize(ours!), normalize(published!));
      });
    }

    it('SOAP-GetDomainSettings-request.xml is not well-formed as published (DEFECT-STRAY-LT); Dovetail does not send GetDomainSettings', async () => {
      await rejectsMalformed(sample('SOAP-GetDomainSettings-request.xml'), /./);
    });
  });

  describe('POX', () => {
    it('POX-response.xml: user, account, protocols; ASUrl as the EWS URL; ServerVersion decoded', async () => {
      const r = await pox(sample('POX-response.xml'));
      assert.equal(r.error, undefined);
      assert.deepEqual(r.user, {
        displayName: 'First Last',
        legacyDN: '/o=contoso/ou=First Administrative Group/cn=Recipients/cn=iuser885646',
        deploymentId: '644560b8-a1ce-429c-8ace-23395843f701',
      });
      assert.equal(r.account?.accountType, 'email');
      assert.equal(r.account?.action, 'settings');
      assert.deepEqual(r.account?.protocols.map((p) => p.type), ['EXCH', 'EXPR', 'WEB']);
      assert.deepEqual(r.account?.protocols[0], {
        type: 'EXCH',
        server: 'MBX-SERVER.mail.internal.contoso.com',
        serverVersion: '72008287',
        asUrl: 'https://mail.contoso.com/ews/exchange.asmx',
      });
      assert.equal(decodePoxServerVersion('72008287'), '8.0.647');
      assert.deepEqual(interpretPox(r), {
        kind: 'settings',
        settings: {
          ewsUrl: 'https://mail.contoso.com/ews/exchange.asmx',
          internalEwsUrl: 'https://mail.contoso.com/ews/exchange.asmx',
          externalEwsUrl: 'https://mail.contoso.com/ews/exchange.asmx',
          userDisplayName: 'First Last',
          serverVersion: '8.0.647',
        },
      });
    });

    it('POX-howto-response.xml: EwsUrl of EXCH, no external URL, Exchange 2013 build', async () => {
      const r = await pox(sample('POX-howto-response.xml'));
      assert.equal(r.user?.displayName, 'Mara Whitley');
      assert.equal(r.user?.autoDiscoverSmtpAddress, 'mara@contoso.com');
      assert.equal(r.user?.deploymentId, '50817eff-b925-4578-a0db-13bfc635e7a5');
      assert.equal(r.account?.protocols[0]?.ewsUrl, 'https://mail.contoso.com/EWS/Exchange.asmx');
      assert.deepEqual(r.account?.protocols[1], { type: 'EXPR', server: 'mail.contoso.com' });
      assert.deepEqual(interpretPox(r), {
        kind: 'settings',
        settings: {
          ewsUrl: 'https://mail.contoso.com/EWS/Exchange.asmx',
          internalEwsUrl: 'https://mail.contoso.com/EWS/Exchange.asmx',
          userDisplayName: 'Mara Whitley',
          serverVersion: '15.0.516',
        },
      });
    });

    it('POX-error-response.xml: ErrorCode 600 "Invalid Request" with its Time and Id', async () => {
      const r = await pox(sample('POX-error-response.xml'));
      assert.deepEqual(r.error, { code: '600', message: 'Invalid Request', time: '21:25:04.8897083', id: '4130155072' });
      assert.deepEqual(interpretPox(r), { kind: 'error', code: '600', message: 'Invalid Request' });
    });

    for (const name of ['POX-request.xml', 'POX-howto-request.xml']) {
      it(`${name}: Dovetail builds the same request (DEFECT-HTTPS-NS in AcceptableResponseSchema)`, async () => {
        const [published] = await readXmlString(sample(name));
        const email = published!.children[0]!.children.find((c) => c.name === 'EMailAddress')!.text;
        const [ours] = await readXmlString(buildPoxRequest(email));
        assert.deepEqual(JSON.parse(httpNs(JSON.stringify(shape(ours!)))), JSON.parse(httpNs(JSON.stringify(shape(published!)))));
      });
    }
  });

  describe('XML blocks of the ms-docs-source pages', () => {
    const expected: Record<string, string[]> = {
      'handling-autodiscover-error-messages.md': ['redirect-address elvin@mail.contoso.com', 'redirect-address elvin@mail.contoso.com'],
      'how-to-use-autodiscover-to-find-connection-points.md': ['request', 'redirect-address User1@mail.Contoso.com', 'request', 'settings https://server.Contoso.com/ews/exchange.asmx'],
      'how-to-get-user-settings-from-exchange-by-using-autodiscover.md': ['request', 'malformed', 'request', 'settings https://mail.contoso.com/EWS/Exchange.asmx'],
    };
    const pages = skip ? [] : readdirSync(conformancePath('autodiscover/ms-docs-source')).filter((f) => f.endsWith('.md'));
    for (const page of pages) {
      it(page, async () => {
        const text = readFileSync(conformancePath(`autodiscover/ms-docs-source/${page}`), 'utf8');
        const blocks = [...text.matchAll(/```XML\r?\n([\s\S]*?)```/g)].map((m) => m[1]!);
        const seen: string[] = [];
        for (const block of blocks) {
          if (!/GetUserSettingsResponseMessage|responseschema\/2006"/.test(block)) {
            seen.push('request');
            continue;
          }
          let roots: XmlNode[];
          try {
            roots = await readXmlString(block);
          } catch (error) {
            assert.ok(error instanceof AppError && error.code === 'ews_malformed_response');
            seen.push('malformed');
            continue;
          }
          const answer = block.includes('GetUserSettingsResponseMessage') ? interpretGetUserSettings(parseGetUserSettingsResponse(roots)) : interpretPox(parsePoxResponse(roots));
          seen.push(answer.kind === 'settings' ? `settings ${answer.settings.ewsUrl}` : answer.kind === 'redirect-address' ? `redirect-address ${answer.address}` : answer.kind);
        }
        assert.deepEqual(seen, expected[page] ?? []);
      });
    }
  });
});
