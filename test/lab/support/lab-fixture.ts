import type { Agent } from 'undici';
import { startLab, type LabHandle, type LabOptions } from '../../../src/lab/lab.ts';
import { basic, labAgent, post, soap, type Reply } from './ews-http.ts';

export const SERVICE = { user: 'svc-dovetail', password: 'Lab-Service-2026!' };
export const ALEX = 'alex.wilber@contoso.lab';
export const MEGAN = 'megan.bowen@contoso.lab';

/** A started lab plus a client that speaks as the impersonating service account; every reply is kept for schema validation. */
export type Fixture = {
  lab: LabHandle;
  agent: Agent;
  replies: Array<{ name: string; xml: string }>;
  call(name: string, body: string, options?: { impersonate?: string; auth?: string; version?: string }): Promise<Reply>;
  close(): Promise<void>;
};

export async function startFixture(options: LabOptions = {}): Promise<Fixture> {
  const lab = await startLab(options);
  const agent = labAgent(lab.caCertPem);
  const replies: Array<{ name: string; xml: string }> = [];
  return {
    lab,
    agent,
    replies,
    async call(name, body, o = {}) {
      const reply = await post(
        lab.ewsUrl,
        agent,
        soap(body, { impersonate: o.impersonate ?? ALEX, ...(o.version ? { version: o.version } : {}) }),
        o.auth ?? basic(SERVICE.user, SERVICE.password),
      );
      if (reply.status === 200 || reply.status === 500) replies.push({ name, xml: reply.body });
      return reply;
    },
    async close() {
      await agent.close();
      await lab.close();
    },
  };
}
