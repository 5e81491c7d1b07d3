import type { Operation } from '../operation.ts';
import { messageError } from '../soap-response.ts';
import { entries, recipient, type WireEntries, type WireMailbox } from '../schema/codec.ts';
import { textElement } from '../xml/xml-text.ts';
import { child, childText, children } from '../xml/xml-reader.ts';
import { AppError } from '../../../errors.ts';

export type ResolveNamesArgs = {
  unresolvedEntry: string;
  returnFullContactData: boolean;
  searchScope?: 'ActiveDirectory' | 'ActiveDirectoryContacts' | 'Contacts' | 'ContactsActiveDirectory';
};

export type Resolution = { mailbox: WireMailbox; contact?: { DisplayName?: string; EmailAddresses?: WireEntries } };

/**
 * Ambiguous names come back as a Warning (ErrorNameResolutionMultipleResults) with the candidates,
 * and no match as an Error (ErrorNameResolutionNoResults): both are answers, not failures.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/resolvenames-operation
 */
export const ResolveNames: Operation<ResolveNamesArgs, Resolution[]> = {
  name: 'ResolveNames',
  build: (a) =>
    `<m:ResolveNames ReturnFullContactData="${a.returnFullContactData}"${a.searchScope === undefined ? '' : ` SearchScope="${a.searchScope}"`}>${textElement(
      'm:UnresolvedEntry',
      a.unresolvedEntry,
    )}</m:ResolveNames>`,
  parse: (env) => {
    const m = env.messages[0];
    if (!m) throw new AppError('ews_malformed_response', 'ResolveNames: the response has no ResponseMessage', { kind: 'transient' });
    if (m.ResponseClass === 'Error') {
      if (m.ResponseCode === 'ErrorNameResolutionNoResults') return [];
      throw messageError(m, 'ResolveNames');
    }
    return children(child(m.node, 'ResolutionSet'), 'Resolution').map((r) => {
      const mb = child(r, 'Mailbox');
      const c = child(r, 'Contact');
      const display = childText(c, 'DisplayName');
      const emails = child(c, 'EmailAddresses');
      return {
        mailbox: mb ? recipient.read(mb) : {},
        ...(c ? { contact: { ...(display === undefined ? {} : { DisplayName: display }), ...(emails ? { EmailAddresses: entries.read(emails) } : {}) } } : {}),
      };
    });
  },
};
