import type { LabState, Principal } from '../lab-state.ts';
import { child, childText, parseXml, XmlParseError, type XmlNode } from '../xml/parse-xml.ts';
import { NS, tel } from '../xml/xml-writer.ts';
import { DISTINGUISHED_FOLDERS, ENTRY_KEYS } from './schema-enumerations.ts';
import type { EwsCall } from './call.ts';
import { EwsFault, envelope, faultEnvelope } from './soap.ts';
import { OPERATIONS, STREAMING_OPERATIONS, type Operation } from './operations/index.ts';

/** Schema versions of types.xsd's ExchangeVersionType, oldest first. */
export const EXCHANGE_VERSIONS = [
  'Exchange2007', 'Exchange2007_SP1', 'Exchange2010', 'Exchange2010_SP1', 'Exchange2010_SP2', 'Exchange2013',
  'Exchange2013_SP1', 'Exchange2015', 'Exchange2016', 'V2015_10_05', 'V2016_01_06', 'V2016_04_13', 'V2016_07_13',
  'V2016_10_10', 'V2017_01_07', 'V2017_04_14', 'V2017_07_11',
];

export type EwsReply = { status: number; body: string; operation?: string; mailbox?: string; codes: string[] };

/** What the dispatcher learned before running the operation (for throttling and fault rules). */
export type EwsPrelude = { operation: string; mailbox: string; call: EwsCall; run: Operation };

function fault(code: string, text: string, values: Array<[string, string]> = [], status = 500): EwsReply {
  return { status, body: faultEnvelope({ code, text, values }), codes: [code] };
}

function violationFault(node: XmlNode, violation: string): EwsReply {
  const body = faultEnvelope({
    code: 'ErrorSchemaValidation',
    text: `The request failed schema validation: ${violation}`,
    message: 'The request failed schema validation.',
    messageXml: tel('t:LineNumber', node.line) + tel('t:LinePosition', node.column ?? 0) + tel('t:Violation', violation),
  });
  return { status: 500, body, codes: ['ErrorSchemaValidation'] };
}

/**
 * The schema rules the lab checks in requests, those clients get wrong: DistinguishedFolderId/@Id, the
 * Entry/@Key of indexed contact properties, MaxChangesReturned's range. Answered like
 * ews-samples/FindConversation-error-soapfault-ErrorSchemaValidation-response.xml.
 */
function schemaViolation(node: XmlNode, parent?: XmlNode): EwsReply | undefined {
  const enumeration = (attr: string, value: string, type: string): string =>
    `The '${attr}' attribute is invalid - The value '${value}' is invalid according to its datatype 'http://schemas.microsoft.com/exchange/services/2006/types:${type}' - The Enumeration constraint failed.`;
  if (node.name === 'DistinguishedFolderId' && !DISTINGUISHED_FOLDERS.has(node.attrs['Id'] ?? '')) {
    return violationFault(node, enumeration('Id', node.attrs['Id'] ?? '', 'DistinguishedFolderIdNameType'));
  }
  if (node.name === 'MaxChangesReturned') {
    // t:MaxSyncChangesReturnedType: xs:int with minInclusive 1, maxInclusive 512.
    const value = node.text.trim();
    const n = Number(value);
    const facet = !/^[+-]?\d+$/.test(value) ? 'Pattern' : n < 1 ? 'MinInclusive' : n > 512 ? 'MaxInclusive' : undefined;
    if (facet) {
      return violationFault(
        node,
        `The '${NS.m}:MaxChangesReturned' element is invalid - The value '${value}' is invalid according to its datatype '${NS.t}:MaxSyncChangesReturnedType' - The ${facet} constraint failed.`,
      );
    }
  }
  const keys = node.name === 'Entry' && parent ? ENTRY_KEYS[parent.name] : undefined;
  if (keys && !keys.keys.has(node.attrs['Key'] ?? '')) return violationFault(node, enumeration('Key', node.attrs['Key'] ?? '', keys.type));
  for (const c of node.children) {
    const found = schemaViolation(c, node);
    if (found) return found;
  }
  return undefined;
}

export function prepare(lab: LabState, principal: Principal, text: string): EwsPrelude | EwsReply {
  let doc: XmlNode;
  try {
    doc = parseXml(text);
  } catch (error) {
    const e = error as XmlParseError;
    return fault('ErrorSchemaValidation', `The request failed schema validation: ${e.message}`, [
      ['LineNumber', String(e.line ?? 0)],
      ['LinePosition', String(e.column ?? 0)],
    ]);
  }
  if (doc.name !== 'Envelope' || doc.uri !== NS.soap) return fault('ErrorSchemaValidation', 'The request failed schema validation: the root element is not a SOAP 1.1 Envelope.');
  const header = child(doc, 'Header');
  const opNode = child(doc, 'Body')?.children[0];
  if (!opNode || opNode.uri !== NS.m) return fault('ErrorSchemaValidation', 'The request failed schema validation: the Body has no EWS operation.');
  const run = OPERATIONS[opNode.name] ?? (STREAMING_OPERATIONS.has(opNode.name) ? streamedByHttpLayer : undefined);
  if (!run) return fault('ErrorInvalidRequest', `The operation ${opNode.name} is not supported by the lab.`);

  const invalid = schemaViolation(opNode);
  if (invalid) return invalid;

  const versionNode = child(header, 'RequestServerVersion');
  const version = versionNode?.attrs['Version'] ?? 'Exchange2007_SP1';
  const known = EXCHANGE_VERSIONS.indexOf(version);
  if (known < 0) return fault('ErrorInvalidServerVersion', 'The specified server version is invalid.');
  if (known > EXCHANGE_VERSIONS.indexOf(lab.build.version)) return fault('ErrorInvalidServerVersion', 'The specified server version is invalid.');

  let target = principal.smtp;
  const impersonation = child(header, 'ExchangeImpersonation');
  if (impersonation) {
    const connecting = child(impersonation, 'ConnectingSID');
    const smtp = childText(connecting, 'PrimarySmtpAddress') ?? childText(connecting, 'SmtpAddress') ?? childText(connecting, 'PrincipalName');
    if (!smtp) return fault('ErrorImpersonationFailed', 'Impersonation failed: only SMTP address and principal name are supported by the lab.');
    const mb = lab.mailbox(smtp);
    if (!mb) return fault('ErrorNonExistentMailbox', 'The SMTP address has no mailbox associated with it.', [['SmtpAddress', smtp]]);
    if (!lab.mayImpersonate(principal, mb.account.smtp)) {
      return fault('ErrorImpersonateUserDenied', 'The account does not have permission to impersonate the requested user.');
    }
    target = mb.account.smtp;
  }
  if (!target) return fault('ErrorMissingEmailAddress', 'When making a request as an account that does not have a mailbox, you must specify the mailbox primary SMTP address for any distinguished folder Ids.');
  const mailbox = lab.mailbox(target);
  if (!mailbox) return fault('ErrorNonExistentMailbox', 'The SMTP address has no mailbox associated with it.', [['SmtpAddress', target]]);
  return {
    operation: opNode.name,
    mailbox: mailbox.account.smtp,
    run,
    call: { lab, principal, mailbox, body: opNode, requestedVersion: version },
  };
}

/** Runs a prepared operation and frames its answer. */
export async function execute(prelude: EwsPrelude): Promise<EwsReply> {
  try {
    const inner = await prelude.run(prelude.call);
    const codes = [...inner.matchAll(/<m:ResponseCode>([^<]+)<\/m:ResponseCode>/g)].map((m) => m[1]!);
    return { status: 200, body: envelope(prelude.call.lab.build, inner), operation: prelude.operation, mailbox: prelude.mailbox, codes };
  } catch (error) {
    if (error instanceof EwsFault) return { ...fault(error.code, error.message, error.values, error.status), operation: prelude.operation, mailbox: prelude.mailbox };
    throw error;
  }
}

function streamedByHttpLayer(): never {
  throw new Error('GetStreamingEvents is answered by the HTTP layer');
}

export function isReply(value: EwsPrelude | EwsReply): value is EwsReply {
  return 'status' in value;
}

export { fault as ewsFault };
