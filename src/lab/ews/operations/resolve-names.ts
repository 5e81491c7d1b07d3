import { childText } from '../../xml/parse-xml.ts';
import { el, tel } from '../../xml/xml-writer.ts';
import type { EwsCall } from '../call.ts';
import { errorMessage, operationResponse } from '../soap.ts';
import { responseText } from '../response-codes.ts';

/**
 * ResolveNames against the lab's directory (its mailboxes): by display name, user name or address,
 * prefix match on words. Several matches answer ResponseClass Warning with
 * ErrorNameResolutionMultipleResults; none, ErrorNameResolutionNoResults.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/resolvenames-operation
 */
export function ResolveNames(call: EwsCall): string {
  const raw = childText(call.body, 'UnresolvedEntry') ?? '';
  const query = raw.replace(/^smtp:/i, '').toLowerCase();
  const full = call.body.attrs['ReturnFullContactData'] === 'true';
  const hits = [...call.lab.mailboxes.values()].filter((mb) => {
    const a = mb.account;
    const words = [...a.displayName.toLowerCase().split(/\s+/), a.userName.toLowerCase(), a.smtp.toLowerCase()];
    return a.smtp.toLowerCase() === query || words.some((w) => w.startsWith(query)) || a.displayName.toLowerCase().startsWith(query);
  });
  if (hits.length === 0 || query === '') return operationResponse('ResolveNames', [errorMessage('ResolveNames', { code: 'ErrorNameResolutionNoResults' })]);
  const resolutions = hits.map((mb) =>
    el(
      't:Resolution',
      undefined,
      el('t:Mailbox', undefined, tel('t:Name', mb.account.displayName), tel('t:EmailAddress', mb.account.smtp), tel('t:RoutingType', 'SMTP'), tel('t:MailboxType', 'Mailbox')),
      full
        ? el(
            't:Contact',
            undefined,
            tel('t:DisplayName', mb.account.displayName),
            el('t:EmailAddresses', undefined, tel('t:Entry', `SMTP:${mb.account.smtp}`, { Key: 'EmailAddress1' })),
            tel('t:ContactSource', 'ActiveDirectory'),
          )
        : '',
    ),
  );
  const set = el('m:ResolutionSet', { TotalItemsInView: hits.length, IncludesLastItemInRange: true }, ...resolutions);
  const multiple = hits.length > 1;
  const message = multiple
    ? `<m:ResolveNamesResponseMessage ResponseClass="Warning">${tel('m:MessageText', responseText('ErrorNameResolutionMultipleResults'))}<m:ResponseCode>ErrorNameResolutionMultipleResults</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>${set}</m:ResolveNamesResponseMessage>`
    : `<m:ResolveNamesResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>${set}</m:ResolveNamesResponseMessage>`;
  return operationResponse('ResolveNames', [message]);
}
