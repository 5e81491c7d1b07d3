import { readFileSync } from 'node:fs';
import { validateXML } from 'xmllint-wasm';
import { conformancePath } from '../../support/env.ts';

/**
 * Validates whole SOAP envelopes against Microsoft's messages.xsd/types.xsd the way
 * ews-schema/VALIDATION.md does it: through the kit's SOAP 1.1 envelope driver schema, which
 * imports xml.xsd before messages.xsd (libxml2 cannot resolve types.xsd's bare xml: import).
 */
let files: Array<{ fileName: string; contents: string }> | undefined;

function schemaFiles(): Array<{ fileName: string; contents: string }> {
  files ??= [
    { fileName: 'xml.xsd', contents: readFileSync(conformancePath('ews-schema/xml.xsd'), 'utf8') },
    { fileName: 'messages.xsd', contents: readFileSync(conformancePath('ews-schema/messages.xsd'), 'utf8') },
    { fileName: 'types.xsd', contents: readFileSync(conformancePath('ews-schema/types.xsd'), 'utf8') },
  ];
  return files;
}

export type SchemaResult = { name: string; valid: boolean; errors: string[] };

export async function validateEnvelopes(docs: Array<{ name: string; xml: string }>): Promise<SchemaResult[]> {
  if (docs.length === 0) return [];
  const result = await validateXML({
    xml: docs.map((d, i) => ({ fileName: `doc${i}.xml`, contents: d.xml })),
    schema: { fileName: 'validation/soap11-envelope-for-ews.xsd', contents: readFileSync(conformancePath('ews-schema/validation/soap11-envelope-for-ews.xsd'), 'utf8') },
    preload: schemaFiles(),
    initialMemoryPages: 1024,
    maxMemoryPages: 16384,
  });
  return docs.map((d, i) => {
    const errors = result.errors.filter((e) => e.loc?.fileName === `doc${i}.xml` || e.rawMessage.startsWith(`doc${i}.xml`)).map((e) => e.rawMessage.slice(0, 400));
    return { name: d.name, valid: errors.length === 0, errors };
  });
}
