/** dovetail appointment|task create|list|show|update|delete: CRM activities the ACT pipeline keeps in step with Exchange. */
import type { Command } from 'commander';
import {
  createAppointment, createTask, deleteAppointment, deleteTask, getAppointment, getTask, listAppointments, listTasks, updateAppointment, updateTask,
  type AppointmentFields, type TaskFields,
} from '../../crm/activity-records.ts';
import type { CliContext } from '../cli-context.ts';
import { registerCrud } from '../crud.ts';

const byMailbox = { flags: '--mailbox <id>', description: "only this mailbox's", field: 'mailboxId' };

export function register(program: Command, cli: CliContext): void {
  registerCrud(program, cli, {
    noun: 'appointment',
    description: 'CRM appointments (synchronized with the Exchange calendar)',
    list: (ctx, f) => listAppointments(ctx, f['mailboxId']),
    listFlags: [byMailbox],
    show: getAppointment,
    create: (ctx, input) => createAppointment(ctx, input as AppointmentFields),
    update: (ctx, id, patch) => updateAppointment(ctx, id, patch as Partial<AppointmentFields>),
    remove: deleteAppointment,
    line: (a) => `${a.id}  ${a.startAt}  ${a.subject}  ${a.status}`,
  });
  registerCrud(program, cli, {
    noun: 'task',
    description: 'CRM tasks (synchronized with Exchange tasks)',
    list: (ctx, f) => listTasks(ctx, f['mailboxId']),
    listFlags: [byMailbox],
    show: getTask,
    create: (ctx, input) => createTask(ctx, input as TaskFields),
    update: (ctx, id, patch) => updateTask(ctx, id, patch as Partial<TaskFields>),
    remove: deleteTask,
    line: (t) => `${t.id}  ${t.dueAt ?? 'no due date'}  ${t.subject}  ${t.status}`,
  });
}
