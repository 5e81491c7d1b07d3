import { readFileSync } from 'node:fs';
import { validateXML } from 'xmllint-wasm';
import { conformancePath } from '../support/env.ts';

/**
 * Validates whole SOAP envelopes the way ews-schema/VALIDATION.md says: the kit's
 * validation/soap11-envelope-for-ews.xsd (which imports xml.xsd before messages.xsd, so Microsoft's
 * types.xsd compiles unmodified), with messages.xsd, types.xsd and xml.xsd beside it.
 */
export async function validateEnvelopes(docs: ReadonlyArray<{ name: string; xml: string }>): Promise<Map<string, string[]>> {
  const file = (p: string) => ({ fileName: p, contents: readFileSync(conformancePath(`ews-schema/${p}`), 'utf8') });
  const result = await validateXML({
    xml: docs.map((d) => ({ fileName: `${d.name}.xml`, contents: d.xml })),
    schema: [file('validation/soap11-envelope-for-ews.xsd')],
    preload: [file('xml.xsd'), file('messages.xsd'), file('types.xsd')],
    initialMemoryPages: 4096,
    maxMemoryPages: 16384,
  });
  const errors = new Map<string, string[]>();
  for (const d of docs) errors.set(d.name, []);
  for (const e of result.errors) {
    const name = (e.loc?.fileName ?? '').replace(/\.xml$/, '');
    const list = errors.get(name) ?? [];
    list.push(e.rawMessage);
    errors.set(name, list);
  }
  return errors;
}
