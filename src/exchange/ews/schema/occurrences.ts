import { child, children, type XmlNode } from '../xml/xml-reader.ts';
import type { Codec, WireId } from './codec.ts';

/**
 * A recurring master's changed and deleted occurrences (types.xsd NonEmptyArrayOfOccurrenceInfoType,
 * NonEmptyArrayOfDeletedOccurrencesType). Read-only: Exchange maintains them.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/modifiedoccurrences
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/deletedoccurrences
 */
export type WireOccurrence = { ItemId: WireId; Start: string; End: string; OriginalStart: string };

const text = (n: XmlNode, name: string): string => child(n, name)?.text.trim() ?? '';

export const occurrenceList: Codec<WireOccurrence[]> = {
  read: (n) =>
    children(n, 'Occurrence').map((o) => {
      const id = child(o, 'ItemId');
      return {
        ItemId: { Id: id?.attrs['Id'] ?? '', ...(id?.attrs['ChangeKey'] === undefined ? {} : { ChangeKey: id.attrs['ChangeKey'] }) },
        Start: text(o, 'Start'),
        End: text(o, 'End'),
        OriginalStart: text(o, 'OriginalStart'),
      };
    }),
  write: () => {
    throw new Error('ModifiedOccurrences is read-only');
  },
};

export const deletedOccurrenceList: Codec<Array<{ Start: string }>> = {
  read: (n) => children(n, 'DeletedOccurrence').map((o) => ({ Start: text(o, 'Start') })),
  write: () => {
    throw new Error('DeletedOccurrences is read-only');
  },
};
