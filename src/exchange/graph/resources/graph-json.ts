import type { EmailAddress, MessageBody } from '../../driver.ts';

/** Small readers for Graph JSON, shared by the resource mappers. */
export type Json = Record<string, unknown>;

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function obj(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

export function arr(value: unknown): Json[] {
  return Array.isArray(value) ? (value as Json[]) : [];
}

/** A Graph recipient ({ emailAddress: { name, address } }) as ours. */
export function recipient(value: unknown): EmailAddress | undefined {
  const email = obj(obj(value)['emailAddress']);
  const address = str(email['address']);
  if (address === undefined) return undefined;
  const name = str(email['name']);
  return name === undefined || name === '' ? { address } : { address, name };
}

export function recipients(value: unknown): EmailAddress[] {
  return arr(value).flatMap((r) => {
    const one = recipient(r);
    return one === undefined ? [] : [one];
  });
}

export function toRecipients(list: readonly EmailAddress[]): Json[] {
  return list.map((r) => ({ emailAddress: { address: r.address, ...(r.name === undefined ? {} : { name: r.name }) } }));
}

export function body(value: unknown): MessageBody {
  const b = obj(value);
  return { type: str(b['contentType'])?.toLowerCase() === 'html' ? 'html' : 'text', content: str(b['content']) ?? '' };
}

export function toBody(b: MessageBody): Json {
  return { contentType: b.type === 'html' ? 'HTML' : 'Text', content: b.content };
}

export function importance(value: unknown): 'low' | 'normal' | 'high' {
  const v = str(value)?.toLowerCase();
  return v === 'low' || v === 'high' ? v : 'normal';
}

/** Path segment for a mailbox or item id (ids may hold '/', '+', '='). */
export function seg(value: string): string {
  return encodeURIComponent(value);
}
