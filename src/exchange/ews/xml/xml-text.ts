import { AppError } from '../../../errors.ts';

/**
 * Characters XML 1.0 allows (https://www.w3.org/TR/xml/#charsets): TAB, LF, CR, U+0020-U+D7FF,
 * U+E000-U+FFFD and U+10000-U+10FFFF. Anything else (C0 controls, lone surrogates, U+FFFE/FFFF)
 * makes the whole request ill-formed, so Exchange answers with a SOAP fault for every item in it.
 */
const ILLEGAL = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const ILLEGAL_GLOBAL = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const SPECIAL = /[&<>"\r]/;
const SPECIAL_GLOBAL = /[&<>"\r]/g;
const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\r': '&#xD;', '\n': '&#xA;', '\t': '&#x9;' };
// Attribute values are whitespace-normalized by every parser, so line breaks and tabs travel as references there.
const ATTR_SPECIAL = /[&<>"\r\n\t]/;
const ATTR_SPECIAL_GLOBAL = /[&<>"\r\n\t]/g;

/** Removes characters XML 1.0 cannot carry; for free text (subject, body) where losing a control character is harmless. */
export function stripIllegalXmlChars(value: string): string {
  return ILLEGAL.test(value) ? value.replace(ILLEGAL_GLOBAL, '') : value;
}

/**
 * Escapes text for element content or a double-quoted attribute. Rejects characters XML 1.0
 * cannot carry with a clear error instead of sending a request the server cannot parse.
 */
export function escapeXml(value: string, field = 'value'): string {
  rejectIllegal(value, field);
  return SPECIAL.test(value) ? value.replace(SPECIAL_GLOBAL, (c) => ENTITY[c] ?? c) : value;
}

function rejectIllegal(value: string, field: string): void {
  const bad = ILLEGAL.exec(value);
  if (bad) {
    const cp = bad[0].codePointAt(0) ?? 0;
    throw new AppError('ews_illegal_xml_character', `${field} contains U+${cp.toString(16).toUpperCase().padStart(4, '0')} at position ${bad.index}, which XML 1.0 cannot carry`, {
      kind: 'invalid-input',
      details: { field, position: bad.index },
    });
  }
}

/** Escapes text for a double-quoted attribute value. */
export function escapeXmlAttribute(value: string, field = 'value'): string {
  rejectIllegal(value, field);
  return ATTR_SPECIAL.test(value) ? value.replace(ATTR_SPECIAL_GLOBAL, (c) => ENTITY[c] ?? c) : value;
}

/** `<prefix:name attrs>content</prefix:name>`; `content` must already be XML. */
export function element(qname: string, attrs: Record<string, string | undefined> | null, content?: string): string {
  let open = `<${qname}`;
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) if (v !== undefined) open += ` ${k}="${escapeXmlAttribute(v, `${qname}/@${k}`)}"`;
  }
  return content === undefined || content === '' ? `${open}/>` : `${open}>${content}</${qname}>`;
}

/** `<prefix:name>escaped text</prefix:name>` */
export function textElement(qname: string, text: string): string {
  return `<${qname}>${escapeXml(text, qname)}</${qname}>`;
}
