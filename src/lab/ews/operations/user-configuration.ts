import { child, childText, type XmlNode } from '../../xml/parse-xml.ts';
import { el, tel, writeNode } from '../../xml/xml-writer.ts';
import { resolveFolder, type EwsCall } from '../call.ts';
import { encodeId } from '../../mailbox-store/ids.ts';
import { errorMessage, operationResponse, success } from '../soap.ts';
import type { StoredFolder, UserConfiguration } from '../../mailbox-store/types.ts';
import type { Mailbox } from '../../mailbox-store/mailbox.ts';
import { RESPONSE_TEXT } from '../response-codes.ts';

RESPONSE_TEXT['ErrorItemSave'] = 'An object with the same key already exists.';

type Target = { ok: true; mb: Mailbox; folder: StoredFolder; name: string; folderNode: XmlNode } | { ok: false; code: string };

function target(call: EwsCall, nameNode: XmlNode | undefined): Target {
  const folderNode = nameNode?.children.find((c) => c.name === 'FolderId' || c.name === 'DistinguishedFolderId');
  const name = nameNode?.attrs['Name'] ?? '';
  if (!folderNode || !/^[A-Za-z0-9._]{1,236}$/.test(name)) return { ok: false, code: 'ErrorInvalidUserConfigurationName' };
  const r = resolveFolder(call, folderNode);
  if (!r.ok) return { ok: false, code: r.code };
  return { ok: true, mb: r.mailbox, folder: r.value, name, folderNode };
}

function applyParts(config: UserConfiguration, node: XmlNode): void {
  const dictionary = child(node, 'Dictionary');
  if (dictionary) config.dictionary = dictionary;
  const xml = childText(node, 'XmlData');
  if (xml !== undefined) config.xmlData = xml;
  const binary = childText(node, 'BinaryData');
  if (binary !== undefined) config.binaryData = binary;
}

/**
 * CreateUserConfiguration: a named configuration object (an associated item) in a folder; Dovetail
 * stamps its org id in one. An existing name answers ErrorItemSave.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/createuserconfiguration-operation
 */
export function CreateUserConfiguration(call: EwsCall): string {
  const node = child(call.body, 'UserConfiguration');
  const t = target(call, child(node, 'UserConfigurationName'));
  if (!t.ok) return operationResponse('CreateUserConfiguration', [errorMessage('CreateUserConfiguration', { code: t.code })]);
  if (t.folder.userConfigurations.has(t.name.toLowerCase())) return operationResponse('CreateUserConfiguration', [errorMessage('CreateUserConfiguration', { code: 'ErrorItemSave' })]);
  const itemKey = t.mb.newKey();
  const config: UserConfiguration = { name: t.name, itemKey, itemId: encodeId('item', t.mb.no, itemKey), version: 1 };
  applyParts(config, node!);
  t.folder.userConfigurations.set(t.name.toLowerCase(), config);
  return operationResponse('CreateUserConfiguration', [success('CreateUserConfiguration')]);
}

/** @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/updateuserconfiguration-operation */
export function UpdateUserConfiguration(call: EwsCall): string {
  const node = child(call.body, 'UserConfiguration');
  const t = target(call, child(node, 'UserConfigurationName'));
  if (!t.ok) return operationResponse('UpdateUserConfiguration', [errorMessage('UpdateUserConfiguration', { code: t.code })]);
  const config = t.folder.userConfigurations.get(t.name.toLowerCase());
  if (!config) return operationResponse('UpdateUserConfiguration', [errorMessage('UpdateUserConfiguration', { code: 'ErrorItemNotFound' })]);
  applyParts(config, node!);
  config.version += 1;
  return operationResponse('UpdateUserConfiguration', [success('UpdateUserConfiguration')]);
}

/** @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getuserconfiguration-operation */
export function GetUserConfiguration(call: EwsCall): string {
  const t = target(call, child(call.body, 'UserConfigurationName'));
  if (!t.ok) return operationResponse('GetUserConfiguration', [errorMessage('GetUserConfiguration', { code: t.code })]);
  const config = t.folder.userConfigurations.get(t.name.toLowerCase());
  if (!config) return operationResponse('GetUserConfiguration', [errorMessage('GetUserConfiguration', { code: 'ErrorItemNotFound' })]);
  const wanted = new Set((childText(call.body, 'UserConfigurationProperties') ?? 'All').split(/\s+/));
  const all = wanted.has('All');
  const body = el(
    'm:UserConfiguration',
    undefined,
    el('t:UserConfigurationName', { Name: config.name }, writeNode(t.folderNode)),
    all || wanted.has('Id') ? el('t:ItemId', { Id: config.itemId, ChangeKey: Buffer.from(`UC${config.version}`).toString('base64') }) : '',
    (all || wanted.has('Dictionary')) && config.dictionary ? writeNode(config.dictionary) : '',
    (all || wanted.has('XmlData')) && config.xmlData !== undefined ? tel('t:XmlData', config.xmlData) : '',
    (all || wanted.has('BinaryData')) && config.binaryData !== undefined ? tel('t:BinaryData', config.binaryData) : '',
  );
  return operationResponse('GetUserConfiguration', [success('GetUserConfiguration', body)]);
}

/** @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/deleteuserconfiguration-operation */
export function DeleteUserConfiguration(call: EwsCall): string {
  const t = target(call, child(call.body, 'UserConfigurationName'));
  if (!t.ok) return operationResponse('DeleteUserConfiguration', [errorMessage('DeleteUserConfiguration', { code: t.code })]);
  if (!t.folder.userConfigurations.delete(t.name.toLowerCase())) {
    return operationResponse('DeleteUserConfiguration', [errorMessage('DeleteUserConfiguration', { code: 'ErrorItemNotFound' })]);
  }
  return operationResponse('DeleteUserConfiguration', [success('DeleteUserConfiguration')]);
}
