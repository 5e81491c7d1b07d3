import { child } from '../../xml/parse-xml.ts';
import { el } from '../../xml/xml-writer.ts';
import type { EwsCall } from '../call.ts';
import { decodeId } from '../../mailbox-store/ids.ts';
import { errorMessage, operationResponse, success } from '../soap.ts';

const FORMATS = new Set(['EwsLegacyId', 'EwsId', 'EntryId', 'HexEntryId', 'StoreId', 'OwaId']);

function toRaw(format: string, id: string): Buffer | undefined {
  if (format === 'HexEntryId') return /^[0-9A-Fa-f]+$/.test(id) && id.length % 2 === 0 ? Buffer.from(id, 'hex') : undefined;
  return /^[A-Za-z0-9+/_-]+={0,2}$/.test(id) ? Buffer.from(id.replace(/-/g, '+').replace(/_/g, '/'), 'base64') : undefined;
}

function fromRaw(format: string, raw: Buffer): string {
  return format === 'HexEntryId' ? raw.toString('hex').toUpperCase() : raw.toString('base64');
}

/**
 * ConvertId between the id formats; in the lab every format carries the same bytes (base64 or hex),
 * so conversions round-trip.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/convertid-operation
 */
export function ConvertId(call: EwsCall): string {
  const destination = call.body.attrs['DestinationFormat'] ?? 'EwsId';
  const messages = (child(call.body, 'SourceIds')?.children ?? []).map((node) => {
    const format = node.attrs['Format'] ?? '';
    const raw = FORMATS.has(format) && FORMATS.has(destination) ? toRaw(format, node.attrs['Id'] ?? '') : undefined;
    const decoded = raw ? decodeId(raw.toString('base64')) : undefined;
    if (!raw || !decoded) return errorMessage('ConvertId', { code: 'ErrorInvalidIdMalformed' });
    const mb = call.lab.mailboxByNo(decoded.mailboxNo);
    if (!mb) return errorMessage('ConvertId', { code: 'ErrorItemNotFound' });
    return success('ConvertId', el('m:AlternateId', { 'xsi:type': 't:AlternateIdType', Format: destination, Id: fromRaw(destination, raw), Mailbox: mb.account.smtp }));
  });
  return operationResponse('ConvertId', messages);
}
