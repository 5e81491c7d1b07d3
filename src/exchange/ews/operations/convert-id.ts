import type { ItemResult } from '../../driver.ts';
import type { Operation } from '../operation.ts';
import { expectCount, perMessage } from '../results.ts';
import { element } from '../xml/xml-text.ts';
import { child } from '../xml/xml-reader.ts';

export type IdFormat = 'EwsLegacyId' | 'EwsId' | 'EntryId' | 'HexEntryId' | 'StoreId' | 'OwaId';
export type AlternateId = { Format: IdFormat; Id: string; Mailbox: string };
export type ConvertIdArgs = { sourceIds: AlternateId[]; destinationFormat: IdFormat };

/** @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/convertid-operation */
export const ConvertId: Operation<ConvertIdArgs, ItemResult<AlternateId>[]> = {
  name: 'ConvertId',
  build: (a) =>
    `<m:ConvertId DestinationFormat="${a.destinationFormat}"><m:SourceIds>${a.sourceIds
      .map((s) => element('t:AlternateId', { Format: s.Format, Id: s.Id, Mailbox: s.Mailbox }))
      .join('')}</m:SourceIds></m:ConvertId>`,
  parse: (env, a) =>
    expectCount(
      perMessage(env, 'ConvertId', (m) => {
        const n = child(m.node, 'AlternateId');
        if (!n) throw new Error('no AlternateId in the response message');
        return { Format: (n.attrs['Format'] ?? a.destinationFormat) as IdFormat, Id: n.attrs['Id'] ?? '', Mailbox: n.attrs['Mailbox'] ?? '' };
      }),
      a.sourceIds.length,
      'ConvertId',
    ),
};
