import { bool, dateTime, enumeration, field, indexFields, num, str, type RecordOf } from './codec.ts';
import { itemFields } from './item.ts';

export const taskStatusValues = ['NotStarted', 'InProgress', 'Completed', 'WaitingOnOthers', 'Deferred'] as const;

/**
 * TaskType = ItemType + these, in types.xsd order.
 * @see https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/task
 */
export const taskFields = [
  ...itemFields,
  field('CompleteDate', 'task:CompleteDate', dateTime),
  field('DueDate', 'task:DueDate', dateTime),
  field('IsComplete', 'task:IsComplete', bool),
  field('IsRecurring', 'task:IsRecurring', bool),
  field('PercentComplete', 'task:PercentComplete', num),
  field('StartDate', 'task:StartDate', dateTime),
  field('Status', 'task:Status', enumeration(taskStatusValues)),
  field('StatusDescription', 'task:StatusDescription', str),
] as const;

export type TaskRecord = RecordOf<typeof taskFields>;
export const taskFieldIndex = indexFields(taskFields);
