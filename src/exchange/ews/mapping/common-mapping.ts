import type { EmailAddress, MessageBody } from '../../driver.ts';
import type { WireBody, WireMailbox } from '../schema/codec.ts';
import { stripIllegalXmlChars } from '../xml/xml-text.ts';

export function toAddress(m: WireMailbox | undefined): EmailAddress | undefined {
  if (!m || m.EmailAddress === undefined) return undefined;
  return { address: m.EmailAddress, ...(m.Name === undefined || m.Name === '' ? {} : { name: m.Name }) };
}

export function toAddresses(list: readonly WireMailbox[] | undefined): EmailAddress[] {
  return (list ?? []).flatMap((m) => toAddress(m) ?? []);
}

export function toWireMailbox(a: EmailAddress): WireMailbox {
  return { ...(a.name === undefined ? {} : { Name: stripIllegalXmlChars(a.name) }), EmailAddress: a.address };
}

export function toBody(b: WireBody | undefined): MessageBody {
  return { type: b?.BodyType === 'HTML' ? 'html' : 'text', content: b?.text ?? '' };
}

/** Free text loses characters XML 1.0 cannot carry rather than failing the whole request. */
export function toWireBody(b: MessageBody): WireBody {
  return { BodyType: b.type === 'html' ? 'HTML' : 'Text', text: stripIllegalXmlChars(b.content) };
}

export function toImportance(i: string | undefined): 'low' | 'normal' | 'high' {
  return i === 'Low' ? 'low' : i === 'High' ? 'high' : 'normal';
}

export function toWireImportance(i: 'low' | 'normal' | 'high'): 'Low' | 'Normal' | 'High' {
  return i === 'low' ? 'Low' : i === 'high' ? 'High' : 'Normal';
}

export function cleanText(s: string): string {
  return stripIllegalXmlChars(s);
}
