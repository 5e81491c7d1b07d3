import type { TaskData } from '../../driver.ts';
import type { TaskRecord } from '../schema/task.ts';
import { cleanText, toBody, toImportance, toWireBody, toWireImportance } from './common-mapping.ts';

const statuses = { notStarted: 'NotStarted', inProgress: 'InProgress', completed: 'Completed', waitingOnOthers: 'WaitingOnOthers', deferred: 'Deferred' } as const;
const fromWire = Object.fromEntries(Object.entries(statuses).map(([k, v]) => [v, k])) as Record<string, TaskData['status']>;

/**
 * Task dates are dates in practice (Outlook shows no time), sent as midnight UTC and read back by
 * their date part, so a zone shift never moves a due date by a day.
 */
const asDateTime = (d: string): string => `${d.slice(0, 10)}T00:00:00Z`;

export function toTaskData(r: TaskRecord): TaskData {
  return {
    subject: r.Subject ?? '',
    body: toBody(r.Body),
    ...(r.DueDate === undefined ? {} : { dueDate: r.DueDate.slice(0, 10) }),
    ...(r.StartDate === undefined ? {} : { startDate: r.StartDate.slice(0, 10) }),
    status: fromWire[r.Status ?? 'NotStarted'] ?? 'notStarted',
    importance: toImportance(r.Importance),
    percentComplete: r.PercentComplete ?? 0,
    ...(r.CompleteDate === undefined ? {} : { completedAt: r.CompleteDate }),
    categories: r.Categories ?? [],
  };
}

export function toTaskRecord(d: TaskData): TaskRecord {
  return {
    Subject: cleanText(d.subject),
    Body: toWireBody(d.body),
    Categories: d.categories,
    Importance: toWireImportance(d.importance),
    ...(d.completedAt === undefined ? {} : { CompleteDate: d.completedAt }),
    ...(d.dueDate === undefined ? {} : { DueDate: asDateTime(d.dueDate) }),
    PercentComplete: d.percentComplete,
    ...(d.startDate === undefined ? {} : { StartDate: asDateTime(d.startDate) }),
    Status: statuses[d.status],
  };
}
