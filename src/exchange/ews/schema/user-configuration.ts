import { element, escapeXml, textElement } from '../xml/xml-text.ts';
import { child, children, type XmlNode } from '../xml/xml-reader.ts';
import { id, type WireId } from './codec.ts';
import { writeFolderTarget, type FolderTarget } from './folder-id.ts';

/** t:UserConfigurationDictionaryObjectTypesType values Dovetail writes. */
export type DictionaryValue = { Type: 'String' | 'Boolean' | 'Integer32' | 'DateTime'; Value: string };

/**
 * A user configuration object (an FAI item of class IPM.Configuration.{Name} in a folder).
 * Dovetail keeps its org stamp in one, so a mailbox tracked by two CRM orgs is noticed.
 */
export type WireUserConfiguration = {
  name: string;
  folder: FolderTarget;
  itemId?: WireId;
  dictionary?: Record<string, DictionaryValue>;
  xmlData?: string;
};

export function writeUserConfigurationName(qname: string, name: string, folder: FolderTarget): string {
  return element(qname, { Name: name }, writeFolderTarget(folder));
}

function writeObject(qname: string, v: DictionaryValue): string {
  return `<${qname}><t:Type>${v.Type}</t:Type>${textElement('t:Value', v.Value)}</${qname}>`;
}

/** UserConfigurationType: UserConfigurationName, ItemId, Dictionary, XmlData, BinaryData. */
export function writeUserConfiguration(c: WireUserConfiguration): string {
  const dict =
    c.dictionary === undefined
      ? ''
      : `<t:Dictionary>${Object.entries(c.dictionary)
          .map(([k, v]) => `<t:DictionaryEntry>${writeObject('t:DictionaryKey', { Type: 'String', Value: k })}${writeObject('t:DictionaryValue', v)}</t:DictionaryEntry>`)
          .join('')}</t:Dictionary>`;
  return `<m:UserConfiguration>${writeUserConfigurationName('t:UserConfigurationName', c.name, c.folder)}${dict}${
    c.xmlData === undefined ? '' : `<t:XmlData>${escapeXml(c.xmlData, 'XmlData')}</t:XmlData>`
  }</m:UserConfiguration>`;
}

export function readUserConfiguration(n: XmlNode, folder: FolderTarget): WireUserConfiguration {
  const nameNode = child(n, 'UserConfigurationName');
  const itemId = child(n, 'ItemId');
  const dictNode = child(n, 'Dictionary');
  const xml = child(n, 'XmlData');
  const out: WireUserConfiguration = { name: nameNode?.attrs['Name'] ?? '', folder };
  if (itemId) out.itemId = id.read(itemId);
  if (dictNode) {
    const dict: Record<string, DictionaryValue> = {};
    for (const e of children(dictNode, 'DictionaryEntry')) {
      const key = child(child(e, 'DictionaryKey'), 'Value')?.text;
      const val = child(e, 'DictionaryValue');
      if (key === undefined || !val) continue;
      dict[key] = { Type: (child(val, 'Type')?.text.trim() ?? 'String') as DictionaryValue['Type'], Value: child(val, 'Value')?.text ?? '' };
    }
    out.dictionary = dict;
  }
  if (xml) out.xmlData = xml.text.trim();
  return out;
}
