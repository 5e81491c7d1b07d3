import { operationResponse, errorMessage } from './soap.ts';

/** What each operation's response message must carry after the error fields (messages.xsd). */
const TRAILERS: Record<string, string> = {
  SyncFolderItems: '<m:SyncState/><m:IncludesLastItemInRange>true</m:IncludesLastItemInRange>',
  SyncFolderHierarchy: '<m:SyncState/><m:IncludesLastFolderInRange>true</m:IncludesLastFolderInRange>',
  GetItem: '<m:Items/>',
  CreateItem: '<m:Items/>',
  UpdateItem: '<m:Items/>',
  MoveItem: '<m:Items/>',
  GetFolder: '<m:Folders/>',
  CreateFolder: '<m:Folders/>',
  GetAttachment: '<m:Attachments/>',
};

/**
 * ErrorServerBusy inside an HTTP 200 answer, with BackOffMilliseconds in m:MessageXml: how Exchange 2016+
 * reports the ConcurrentSyncCalls budget ("This operation exceeds the throttling budget for policy part
 * 'ConcurrentSyncCalls' … Suggested backoff time 5000 ms", real answer quoted by EWS client test suites).
 */
export function busyResponse(operation: string, backOffMs: number): string {
  return operationResponse(operation, [
    errorMessage(operation, {
      code: 'ErrorServerBusy',
      text: `The server cannot service this request right now. Try again later., This operation exceeds the throttling budget for policy part 'ConcurrentSyncCalls', policy value '5',  Budget type: 'Ews'.  Suggested backoff time ${backOffMs} ms.`,
      messageXml: `<t:Value Name="BackOffMilliseconds">${backOffMs}</t:Value>`,
      trailer: TRAILERS[operation] ?? '',
    }),
  ]);
}
