import { childText } from '../../xml/parse-xml.ts';
import type { EwsCall } from '../call.ts';
import { errorMessage, operationResponse, success } from '../soap.ts';

/**
 * Unsubscribe (pull subscriptions; streaming ones end with their connection or by this call too).
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/unsubscribe-operation
 */
export function Unsubscribe(call: EwsCall): string {
  const id = childText(call.body, 'SubscriptionId') ?? '';
  const sub = call.lab.subscriptions.get(id);
  if (!sub) return operationResponse('Unsubscribe', [errorMessage('Unsubscribe', { code: 'ErrorSubscriptionNotFound' })]);
  if (sub.owner !== call.principal.name.toLowerCase()) return operationResponse('Unsubscribe', [errorMessage('Unsubscribe', { code: 'ErrorSubscriptionAccessDenied' })]);
  call.lab.subscriptions.delete(id);
  return operationResponse('Unsubscribe', [success('Unsubscribe')]);
}
