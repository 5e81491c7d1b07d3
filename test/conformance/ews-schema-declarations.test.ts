/**
 * The element declarations in src/exchange/ews/schema are Microsoft's: every element exists in its
 * schema type, in the schema's order, and every FieldURI is one types.xsd enumerates.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { conformancePath, conformanceSkip } from '../support/env.ts';
import type { Field } from '../../src/exchange/ews/schema/codec.ts';
import { itemFields } from '../../src/exchange/ews/schema/item.ts';
import { messageFields } from '../../src/exchange/ews/schema/message.ts';
import { calendarItemFields } from '../../src/exchange/ews/schema/calendar-item.ts';
import { contactFields, addressPartUris } from '../../src/exchange/ews/schema/contact.ts';
import { taskFields } from '../../src/exchange/ews/schema/task.ts';
import { folderFields } from '../../src/exchange/ews/schema/folder.ts';

describe('EWS element declarations match types.xsd', { skip: conformanceSkip() }, () => {
  const xsd = (): string => readFileSync(conformancePath('ews-schema/types.xsd'), 'utf8');
  const sequence = (text: string, type: string): string[] => {
    const block = new RegExp(`<xs:complexType name="${type}"[\\s\\S]*?</xs:complexType>`).exec(text)?.[0] ?? '';
    return [...block.matchAll(/<xs:element [^>]*name="([^"]+)"/g)].map((m) => m[1]!);
  };
  const enumeration = (text: string, type: string): Set<string> => {
    const block = new RegExp(`<xs:simpleType name="${type}"[\\s\\S]*?</xs:simpleType>`).exec(text)?.[0] ?? '';
    return new Set([...block.matchAll(/value="([^"]+)"/g)].map((m) => m[1]!));
  };

  const cases: Array<[string, readonly Field[], string[]]> = [
    ['ItemType', itemFields, ['ItemType']],
    ['MessageType', messageFields, ['ItemType', 'MessageType']],
    ['CalendarItemType', calendarItemFields, ['ItemType', 'CalendarItemType']],
    ['ContactItemType', contactFields, ['ItemType', 'ContactItemType']],
    ['TaskType', taskFields, ['ItemType', 'TaskType']],
    ['FolderType', folderFields, ['BaseFolderType', 'FolderType']],
  ];

  for (const [name, fields, types] of cases) {
    it(`${name}: declared elements exist and follow the schema order`, () => {
      const text = xsd();
      const order = types.flatMap((t) => sequence(text, t));
      assert.ok(order.length > 5, `${name} sequence found`);
      const positions = fields.map((f) => order.indexOf(f.name));
      assert.deepEqual(fields.filter((_, i) => positions[i]! < 0).map((f) => f.name), [], 'unknown elements');
      for (let i = 1; i < positions.length; i++) assert.ok(positions[i]! > positions[i - 1]!, `${fields[i]!.name} is declared after ${fields[i - 1]!.name} but comes before it in ${name}`);
    });
  }

  it('every FieldURI is one the schema enumerates', () => {
    const text = xsd();
    const unindexed = enumeration(text, 'UnindexedFieldURIType');
    const indexed = enumeration(text, 'DictionaryURIType');
    assert.ok(unindexed.size > 200);
    const uris = cases.flatMap(([, fields]) => fields.flatMap((f) => (f.uri === null ? [] : [f.uri])));
    assert.deepEqual(uris.filter((u) => !unindexed.has(u)), []);
    const dictionary = ['contacts:EmailAddress', 'contacts:PhoneNumber', ...Object.values(addressPartUris)];
    assert.deepEqual(dictionary.filter((u) => !indexed.has(u)), []);
  });
});
