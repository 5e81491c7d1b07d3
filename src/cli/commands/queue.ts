/** dovetail queue create|list|show|update|delete (create also makes the queue's mailbox); update --track-emails. */
import type { Command } from 'commander';
import type { Queue, QueueInput } from '../../domain/party.ts';
import { createQueue, deleteQueue, getQueue, listQueues, updateQueue } from '../../use-cases/parties.ts';
import type { CliContext } from '../cli-context.ts';
import { registerCrud } from '../crud.ts';
import { trackEmailsFlag } from './user.ts';

export function register(program: Command, cli: CliContext): void {
  registerCrud<Queue>(program, cli, {
    noun: 'queue',
    description: 'queues (each owns at most one mailbox)',
    list: listQueues,
    show: getQueue,
    create: (ctx, input) => createQueue(ctx, input as QueueInput & { createMailbox?: boolean }),
    update: (ctx, id, patch) => updateQueue(ctx, id, patch as Partial<QueueInput>),
    remove: deleteQueue,
    line: (q) => `${q.id}  ${q.name}  <${q.emailAddress}>  tracks ${q.trackEmails ?? 'as the org'}`,
    updateFlags: [trackEmailsFlag],
  });
}
