import { element, escapeXml, textElement } from '../xml/xml-text.ts';
import { child, children, type XmlNode } from '../xml/xml-reader.ts';

/**
 * How one EWS element is read from a response and written into a request. Field lists built from
 * codecs (schema/*.ts) are the single declaration of each element: request building, response
 * parsing and FieldURI lists all derive from them.
 */
export type Codec<T> = {
  read(node: XmlNode): T;
  /** The whole element `<t:{name}>…</t:{name}>`. */
  write(name: string, value: T): string;
};

export type Field<N extends string = string, T = unknown> = {
  /** Element name, exactly as in types.xsd. */
  readonly name: N;
  /** FieldURI for AdditionalProperties / SetItemField, or null when the element has none (ItemId). */
  readonly uri: string | null;
  readonly codec: Codec<T>;
  /** The element may repeat directly in its parent (ExtendedProperty). */
  readonly repeated?: boolean;
};

export type FieldValue<F> = F extends Field<string, infer T> ? T : never;

/** The record a field list describes: one optional property per element, keyed by element name. */
export type RecordOf<F extends readonly Field[]> = {
  [E in F[number] as E['name']]?: E extends { repeated: true } ? FieldValue<E>[] : FieldValue<E>;
};

export function field<N extends string, T>(name: N, uri: string | null, codec: Codec<T>): Field<N, T> {
  return { name, uri, codec };
}

export function repeatedField<N extends string, T>(name: N, uri: string | null, codec: Codec<T>): Field<N, T> & { repeated: true } {
  return { name, uri, codec, repeated: true };
}

/** Writes the fields present in `record`, in the declared (schema) order. */
export function writeFields<F extends readonly Field[]>(fields: F, record: RecordOf<F>, prefix = 't'): string {
  let out = '';
  const values = record as Record<string, unknown>;
  for (const f of fields) {
    const v = values[f.name];
    if (v === undefined) continue;
    if (f.repeated) for (const one of v as unknown[]) out += f.codec.write(`${prefix}:${f.name}`, one);
    else out += f.codec.write(`${prefix}:${f.name}`, v);
  }
  return out;
}

/** Reads the declared fields from an element's children; unknown children are ignored. */
export function readFields<F extends readonly Field[]>(fields: F, node: XmlNode, index: ReadonlyMap<string, Field>): RecordOf<F> {
  const out: Record<string, unknown> = {};
  for (const c of node.children) {
    const f = index.get(c.name);
    if (!f) continue;
    const v = f.codec.read(c);
    if (f.repeated) ((out[f.name] as unknown[] | undefined) ?? (out[f.name] = [] as unknown[]) as unknown[]).push(v);
    else out[f.name] = v;
  }
  return out as RecordOf<F>;
}

export function indexFields(fields: readonly Field[]): ReadonlyMap<string, Field> {
  return new Map(fields.map((f) => [f.name, f]));
}

export const str: Codec<string> = { read: (n) => n.text, write: (name, v) => textElement(name, v) };

export const bool: Codec<boolean> = { read: (n) => n.text.trim() === 'true', write: (name, v) => `<${name}>${v ? 'true' : 'false'}</${name}>` };

export const int: Codec<number> = {
  read: (n) => Number.parseInt(n.text.trim(), 10),
  write: (name, v) => `<${name}>${Math.trunc(v)}</${name}>`,
};

/** xs:double (PercentComplete). */
export const num: Codec<number> = { read: (n) => Number(n.text.trim()), write: (name, v) => `<${name}>${v}</${name}>` };

/** xs:dateTime kept as the wire string; mappers turn it into Date or local time. */
export const dateTime: Codec<string> = { read: (n) => n.text.trim(), write: (name, v) => textElement(name, v) };

/** An enumeration kept as its wire word. */
export function enumeration<T extends string>(values: readonly T[]): Codec<T> {
  return {
    read: (n) => n.text.trim() as T,
    write: (name, v) => {
      if (!values.includes(v)) throw new TypeError(`${name}: '${v}' is not one of ${values.join(', ')}`);
      return `<${name}>${v}</${name}>`;
    },
  };
}

/** ArrayOfStringsType (Categories, References is plain string). */
export const strings: Codec<string[]> = {
  read: (n) => children(n, 'String').map((s) => s.text),
  write: (name, v) => `<${name}>${v.map((s) => textElement('t:String', s)).join('')}</${name}>`,
};

export type WireId = { Id: string; ChangeKey?: string };

export const id: Codec<WireId> = {
  read: (n) => ({ Id: n.attrs['Id'] ?? '', ...(n.attrs['ChangeKey'] === undefined ? {} : { ChangeKey: n.attrs['ChangeKey'] }) }),
  write: (name, v) => element(name, { Id: v.Id, ChangeKey: v.ChangeKey }),
};

export type WireBody = { BodyType: 'HTML' | 'Text'; text: string; IsTruncated?: boolean };

export const body: Codec<WireBody> = {
  read: (n) => ({
    BodyType: n.attrs['BodyType'] === 'HTML' ? 'HTML' : 'Text',
    text: n.text,
    ...(n.attrs['IsTruncated'] === undefined ? {} : { IsTruncated: n.attrs['IsTruncated'] === 'true' }),
  }),
  write: (name, v) => `<${name} BodyType="${v.BodyType}">${escapeXml(v.text, name)}</${name}>`,
};

export type WireMailbox = { Name?: string; EmailAddress?: string; RoutingType?: string; MailboxType?: string };

function readMailbox(n: XmlNode): WireMailbox {
  const out: WireMailbox = {};
  for (const c of n.children) {
    if (c.name === 'Name' || c.name === 'EmailAddress' || c.name === 'RoutingType' || c.name === 'MailboxType') out[c.name] = c.text;
  }
  return out;
}

function writeMailbox(v: WireMailbox): string {
  return `<t:Mailbox>${v.Name === undefined ? '' : textElement('t:Name', v.Name)}${v.EmailAddress === undefined ? '' : textElement('t:EmailAddress', v.EmailAddress)}${
    v.RoutingType === undefined ? '' : textElement('t:RoutingType', v.RoutingType)
  }</t:Mailbox>`;
}

/** SingleRecipientType: `<t:From><t:Mailbox>…</t:Mailbox></t:From>`. */
export const recipient: Codec<WireMailbox> = {
  read: (n) => readMailbox(child(n, 'Mailbox') ?? n),
  write: (name, v) => `<${name}>${writeMailbox(v)}</${name}>`,
};

/** ArrayOfRecipientsType. */
export const recipients: Codec<WireMailbox[]> = {
  read: (n) => children(n, 'Mailbox').map(readMailbox),
  write: (name, v) => `<${name}>${v.map(writeMailbox).join('')}</${name}>`,
};

export type WireAttendee = { Mailbox: WireMailbox; ResponseType?: string };

/** ArrayOfAttendeesType. */
export const attendees: Codec<WireAttendee[]> = {
  read: (n) =>
    children(n, 'Attendee').map((a) => {
      const rt = child(a, 'ResponseType')?.text;
      return { Mailbox: readMailbox(child(a, 'Mailbox') ?? a), ...(rt === undefined ? {} : { ResponseType: rt }) };
    }),
  write: (name, v) => `<${name}>${v.map((a) => `<t:Attendee>${writeMailbox(a.Mailbox)}</t:Attendee>`).join('')}</${name}>`,
};

export type WireHeader = { HeaderName: string; value: string };

/** NonEmptyArrayOfInternetHeadersType (read-only). */
export const internetHeaders: Codec<WireHeader[]> = {
  read: (n) => children(n, 'InternetMessageHeader').map((h) => ({ HeaderName: h.attrs['HeaderName'] ?? '', value: h.text })),
  write: () => {
    throw new TypeError('InternetMessageHeaders is read-only');
  },
};

export type WireMime = { CharacterSet?: string; base64: string };

export const mimeContent: Codec<WireMime> = {
  read: (n) => ({ base64: n.text.trim(), ...(n.attrs['CharacterSet'] === undefined ? {} : { CharacterSet: n.attrs['CharacterSet'] }) }),
  write: (name, v) => element(name, { CharacterSet: v.CharacterSet }, escapeXml(v.base64, name)),
};

/** A Key="…" dictionary of plain strings (EmailAddresses, PhoneNumbers). */
export type WireEntries = Record<string, string>;

export const entries: Codec<WireEntries> = {
  read: (n) => {
    const out: WireEntries = {};
    for (const e of children(n, 'Entry')) if (e.attrs['Key'] !== undefined) out[e.attrs['Key']] = e.text;
    return out;
  },
  write: (name, v) => `<${name}>${Object.entries(v).map(([k, t]) => element('t:Entry', { Key: k }, escapeXml(t, name))).join('')}</${name}>`,
};

export type WirePhysicalAddress = { Street?: string; City?: string; State?: string; CountryOrRegion?: string; PostalCode?: string };
const addressParts = ['Street', 'City', 'State', 'CountryOrRegion', 'PostalCode'] as const;

/** PhysicalAddressDictionaryType: Key Business/Home/Other, parts in schema order. */
export const physicalAddresses: Codec<Record<string, WirePhysicalAddress>> = {
  read: (n) => {
    const out: Record<string, WirePhysicalAddress> = {};
    for (const e of children(n, 'Entry')) {
      const a: WirePhysicalAddress = {};
      for (const c of e.children) if ((addressParts as readonly string[]).includes(c.name)) a[c.name as (typeof addressParts)[number]] = c.text;
      if (e.attrs['Key'] !== undefined) out[e.attrs['Key']] = a;
    }
    return out;
  },
  write: (name, v) =>
    `<${name}>${Object.entries(v)
      .map(([k, a]) => element('t:Entry', { Key: k }, addressParts.map((p) => (a[p] === undefined ? '' : textElement(`t:${p}`, a[p]))).join('')))
      .join('')}</${name}>`,
};

/** TimeZoneDefinitionType with just its Id (a Windows time zone name). */
export const timeZoneRef: Codec<string> = {
  read: (n) => n.attrs['Id'] ?? '',
  write: (name, v) => element(name, { Id: v }),
};

/** A declared field by its element name, typed. */
export function fieldNamed<F extends readonly Field[], N extends F[number]['name']>(fields: F, name: N): Extract<F[number], { name: N }> {
  const f = fields.find((x) => x.name === name);
  if (!f) throw new TypeError(`no declared field ${name}`);
  return f as Extract<F[number], { name: N }>;
}
