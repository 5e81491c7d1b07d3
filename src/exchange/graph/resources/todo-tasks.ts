import { AppError } from '../../../errors.ts';
import type { TaskData } from '../../driver.ts';
import type { GraphClient } from '../client.ts';
import { stringList } from './events.ts';
import { arr, body, importance, obj, seg, str, toBody, type Json } from './graph-json.ts';

/**
 * Microsoft To Do: https://learn.microsoft.com/graph/api/resources/todotask. Dovetail syncs the
 * default list (wellknownListName defaultList, "Tasks"). To Do has no percentComplete: we report 100
 * for completed tasks and 0 otherwise, and do not write it. Due and start dates are date-only here;
 * To Do keeps them as dateTimeTimeZone at midnight.
 */
export async function defaultListId(client: GraphClient, mailbox: string): Promise<string> {
  const response = await client.request({ method: 'GET', mailbox, path: `/users/${seg(mailbox)}/todo/lists` });
  const lists = arr((response.body as Json | undefined)?.['value']);
  const list = lists.find((l) => l['wellknownListName'] === 'defaultList') ?? lists[0];
  const id = str(list?.['id']);
  if (id === undefined) throw new AppError('graph_no_task_list', `Mailbox ${mailbox} has no To Do task list.`, { kind: 'not-found' });
  return id;
}

export function tasksPath(mailbox: string, listId: string, id?: string): string {
  return `/users/${seg(mailbox)}/todo/lists/${seg(listId)}/tasks${id === undefined ? '' : `/${seg(id)}`}`;
}

const statuses = ['notStarted', 'inProgress', 'completed', 'waitingOnOthers', 'deferred'] as const;

export function toTask(resource: Json): TaskData {
  const status = str(resource['status']);
  const due = str(obj(resource['dueDateTime'])['dateTime']);
  const start = str(obj(resource['startDateTime'])['dateTime']);
  const completed = str(obj(resource['completedDateTime'])['dateTime']);
  const taskStatus = statuses.includes(status as (typeof statuses)[number]) ? (status as TaskData['status']) : 'notStarted';
  return {
    subject: str(resource['title']) ?? '',
    body: body(resource['body']),
    ...(due === undefined ? {} : { dueDate: due.slice(0, 10) }),
    ...(start === undefined ? {} : { startDate: start.slice(0, 10) }),
    status: taskStatus,
    importance: importance(resource['importance']),
    percentComplete: taskStatus === 'completed' ? 100 : 0,
    ...(completed === undefined ? {} : { completedAt: `${completed.slice(0, 19)}Z` }),
    categories: stringList(resource['categories']),
  };
}

export function fromTask(data: TaskData): Json {
  const date = (d: string | undefined): Json | null => (d === undefined ? null : { dateTime: `${d}T00:00:00.0000000`, timeZone: 'UTC' });
  return {
    title: data.subject,
    body: toBody(data.body),
    dueDateTime: date(data.dueDate),
    startDateTime: date(data.startDate),
    status: data.status,
    importance: data.importance,
    ...(data.completedAt === undefined ? {} : { completedDateTime: { dateTime: data.completedAt.replace(/Z$/, ''), timeZone: 'UTC' } }),
    categories: data.categories,
  };
}
