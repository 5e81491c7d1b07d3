/** Appointments and tasks: create, read, change, delete (synchronized with Exchange by the ACT pipeline). */
import { Type } from 'typebox';
import {
  createAppointment, createTask, deleteAppointment, deleteTask, getAppointment, getTask, listAppointments, listTasks, updateAppointment, updateTask,
  type AppointmentFields, type TaskFields,
} from '../../crm/activity-records.ts';
import { ANY_TOKEN, MAILBOX_OWNER } from '../plugins/access.ts';
import { errorResponses, IdParams } from '../schemas/common.ts';
import { Appointment, AppointmentCreate, AppointmentPatch, MailboxQuery, Task, TaskCreate, TaskPatch } from './crm-schemas.ts';
import type { RoutePlugin } from './route-plugin.ts';

export const crmActivityRoutes: RoutePlugin = async (app) => {
  const tags = ['appointments and tasks'];

  app.get('/api/appointments', {
    config: { access: ANY_TOKEN },
    schema: { tags, summary: 'List appointments', querystring: MailboxQuery, response: { 200: Type.Array(Appointment), ...errorResponses } },
  }, async (request) => listAppointments(request.useCases(), request.query.mailboxId));
  app.post('/api/appointments', {
    config: { access: MAILBOX_OWNER },
    schema: { tags, summary: 'Create an appointment', body: AppointmentCreate, response: { 201: Appointment, ...errorResponses } },
  }, async (request, reply) => reply.status(201).send(await createAppointment(request.useCases(), request.body as AppointmentFields)));
  app.get('/api/appointments/:id', {
    config: { access: ANY_TOKEN },
    schema: { tags, summary: 'Show an appointment', params: IdParams, response: { 200: Appointment, ...errorResponses } },
  }, async (request) => getAppointment(request.useCases(), request.params.id));
  app.patch('/api/appointments/:id', {
    config: { access: MAILBOX_OWNER },
    schema: { tags, summary: 'Change an appointment', params: IdParams, body: AppointmentPatch, response: { 200: Appointment, ...errorResponses } },
  }, async (request) => updateAppointment(request.useCases(), request.params.id, request.body as Partial<AppointmentFields>));
  app.delete('/api/appointments/:id', {
    config: { access: MAILBOX_OWNER },
    schema: { tags, summary: 'Delete an appointment', params: IdParams, response: { 204: Type.Null(), ...errorResponses } },
  }, async (request, reply) => {
    await deleteAppointment(request.useCases(), request.params.id);
    return reply.status(204).send(null);
  });

  app.get('/api/tasks', {
    config: { access: ANY_TOKEN },
    schema: { tags, summary: 'List tasks', querystring: MailboxQuery, response: { 200: Type.Array(Task), ...errorResponses } },
  }, async (request) => listTasks(request.useCases(), request.query.mailboxId));
  app.post('/api/tasks', {
    config: { access: MAILBOX_OWNER },
    schema: { tags, summary: 'Create a task', body: TaskCreate, response: { 201: Task, ...errorResponses } },
  }, async (request, reply) => reply.status(201).send(await createTask(request.useCases(), request.body as TaskFields)));
  app.get('/api/tasks/:id', {
    config: { access: ANY_TOKEN },
    schema: { tags, summary: 'Show a task', params: IdParams, response: { 200: Task, ...errorResponses } },
  }, async (request) => getTask(request.useCases(), request.params.id));
  app.patch('/api/tasks/:id', {
    config: { access: MAILBOX_OWNER },
    schema: { tags, summary: 'Change a task', params: IdParams, body: TaskPatch, response: { 200: Task, ...errorResponses } },
  }, async (request) => updateTask(request.useCases(), request.params.id, request.body as Partial<TaskFields>));
  app.delete('/api/tasks/:id', {
    config: { access: MAILBOX_OWNER },
    schema: { tags, summary: 'Delete a task', params: IdParams, response: { 204: Type.Null(), ...errorResponses } },
  }, async (request, reply) => {
    await deleteTask(request.useCases(), request.params.id);
    return reply.status(204).send(null);
  });
};
