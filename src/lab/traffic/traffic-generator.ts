import type { Random } from '../../clock.ts';
import type { LabApi } from '../lab-api.ts';
import type { SentRecord } from '../lab-state.ts';

export type TrafficKind = 'email-known' | 'email-unknown' | 'reply-with-token' | 'reply-without-token' | 'meeting' | 'contact-edit' | 'task-edit';

export type TrafficEvent = { kind: TrafficKind; mailbox: string; detail: string };

export type TrafficOptions = {
  api: LabApi;
  /** Lab mailboxes that receive mail and whose owners edit items. */
  mailboxes: string[];
  /** People the CRM knows (its contacts). */
  knownSenders: Array<{ name: string; address: string }>;
  /** Deterministic choices: the same seed and lab state give the same events. */
  random: Random;
  /** Events per minute for start(); step() ignores it. */
  ratePerMinute?: number;
  /** Tracking token in CRM subjects, as Dovetail's org settings format it (default CRM: + 7 digits). */
  tokenPattern?: RegExp;
};

const WEIGHTS: Array<[TrafficKind, number]> = [
  ['email-known', 30],
  ['email-unknown', 15],
  ['reply-with-token', 15],
  ['reply-without-token', 10],
  ['meeting', 10],
  ['contact-edit', 10],
  ['task-edit', 10],
];

const TOPICS = ['Quote for 40 units', 'Delivery schedule', 'Invoice question', 'Renewal terms', 'Product demo', 'Support follow-up', 'Partnership idea'];
const UNKNOWN = ['newsletter@promo.example', 'jobs@recruit.example', 'someone@gmail.example', 'info@unknown-vendor.example'];

/**
 * Exchange-side activity for demos and end-to-end tests: mail from known and unknown senders,
 * replies to what the CRM sent (with and without the tracking token, always with In-Reply-To and
 * References), meetings, and contact and task edits in Outlook. step() makes one event now;
 * start() makes them at a rate until stop().
 */
export class TrafficGenerator {
  readonly events: TrafficEvent[] = [];
  private readonly options: TrafficOptions;
  private readonly token: RegExp;
  private timer: NodeJS.Timeout | undefined;
  private counter = 0;

  constructor(options: TrafficOptions) {
    if (options.mailboxes.length === 0) throw new Error('traffic needs at least one lab mailbox');
    this.options = options;
    this.token = options.tokenPattern ?? /\s*CRM:\d{7}/;
  }

  private int(n: number): number {
    return this.options.random.bytes(4).readUInt32BE(0) % n;
  }

  private pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }

  private kind(): TrafficKind {
    const total = WEIGHTS.reduce((s, [, w]) => s + w, 0);
    let r = this.int(total);
    for (const [k, w] of WEIGHTS) {
      if (r < w) return k;
      r -= w;
    }
    return 'email-known';
  }

  /** Mail the CRM sent through a lab mailbox to someone outside, newest last. */
  private crmSent(): SentRecord[] {
    const lab = new Set(this.options.mailboxes.map((m) => m.toLowerCase()));
    return this.options.api.sent().filter((s) => s.kind === 'message' && lab.has(s.from.toLowerCase()) && s.to.some((t) => !lab.has(t.toLowerCase())));
  }

  step(): TrafficEvent {
    const { api } = this.options;
    let kind = this.kind();
    const mailbox = this.pick(this.options.mailboxes);
    this.counter += 1;
    const sent = this.crmSent();
    if ((kind === 'reply-with-token' || kind === 'reply-without-token') && sent.length === 0) kind = 'email-known';
    if (kind === 'email-known' && this.options.knownSenders.length === 0) kind = 'email-unknown';
    let event: TrafficEvent;
    switch (kind) {
      case 'email-known': {
        const from = this.pick(this.options.knownSenders);
        const subject = `${this.pick(TOPICS)} #${this.counter}`;
        api.deliverEmail({ to: [mailbox], from, subject, body: `Hello,\n\n${subject}.\n\n${from.name}` });
        event = { kind, mailbox, detail: `${from.address}: ${subject}` };
        break;
      }
      case 'email-unknown': {
        const address = this.pick(UNKNOWN);
        const subject = `Offer ${this.counter}`;
        api.deliverEmail({ to: [mailbox], from: { address }, subject, body: 'Not for the CRM.' });
        event = { kind, mailbox, detail: `${address}: ${subject}` };
        break;
      }
      case 'reply-with-token':
      case 'reply-without-token': {
        const original = sent[sent.length - 1 - this.int(Math.min(sent.length, 5))]!;
        const outside = original.to.find((t) => !this.options.mailboxes.some((m) => m.toLowerCase() === t.toLowerCase()))!;
        const base = kind === 'reply-with-token' ? original.subject : original.subject.replace(this.token, '');
        const subject = `RE: ${base}`;
        api.deliverEmail({
          to: [original.from],
          from: { address: outside, name: this.options.knownSenders.find((k) => k.address.toLowerCase() === outside.toLowerCase())?.name ?? outside },
          subject,
          body: 'Thanks, see my answer below.',
          inReplyTo: original.internetMessageId,
          references: [original.internetMessageId],
        });
        event = { kind, mailbox: original.from, detail: subject };
        break;
      }
      case 'meeting': {
        const day = 1 + this.int(20);
        const hour = 8 + this.int(9);
        const start = new Date(Date.UTC(2027, 0, day, hour)).toISOString();
        const end = new Date(Date.UTC(2027, 0, day, hour + 1)).toISOString();
        const attendee = this.options.knownSenders.length ? this.pick(this.options.knownSenders).address : this.pick(this.options.mailboxes);
        const subject = `Meeting: ${this.pick(TOPICS)}`;
        api.createMeeting({ organizer: mailbox, subject, start, end, location: 'Teams', attendees: [attendee], ...(this.int(4) === 0 ? { weeklyOccurrences: 4 } : {}) });
        event = { kind, mailbox, detail: subject };
        break;
      }
      case 'contact-edit': {
        const contacts = api.items(mailbox, 'contacts');
        if (contacts.length > 0 && this.int(2) === 0) {
          const c = this.pick(contacts);
          api.editItem(mailbox, c.id, { JobTitle: `Title ${this.counter}` });
          event = { kind, mailbox, detail: `edited ${c.id}` };
        } else {
          const who = this.options.knownSenders.length ? this.pick(this.options.knownSenders) : { name: `Person ${this.counter}`, address: `person${this.counter}@example.test` };
          const [given, ...rest] = who.name.split(' ');
          api.createContact(mailbox, { givenName: given ?? who.name, surname: rest.join(' ') || 'Contact', email: who.address });
          event = { kind, mailbox, detail: `created ${who.address}` };
        }
        break;
      }
      case 'task-edit': {
        const tasks = api.items(mailbox, 'tasks');
        if (tasks.length > 0 && this.int(2) === 0) {
          const t = this.pick(tasks);
          api.editItem(mailbox, t.id, { Status: 'Completed' });
          event = { kind, mailbox, detail: `completed ${t.id}` };
        } else {
          const subject = `Follow up ${this.counter}`;
          api.createTask(mailbox, { subject, dueDate: new Date(Date.UTC(2027, 0, 1 + this.int(28))).toISOString() });
          event = { kind, mailbox, detail: subject };
        }
        break;
      }
    }
    this.events.push(event);
    return event;
  }

  start(onEvent?: (e: TrafficEvent) => void): void {
    const rate = this.options.ratePerMinute ?? 6;
    if (rate <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      const e = this.step();
      onEvent?.(e);
    }, Math.max(10, Math.round(60_000 / rate)));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
