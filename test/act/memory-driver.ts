/**
 * The in-memory folders as a whole MailboxDriver for the worker's ACT run: an org stamp, and a
 * switch that makes the next sync calls fail as a busy server would.
 */
import type { MailboxDriver } from '../../src/exchange/driver.ts';
import { AppError } from '../../src/errors.ts';
import { MemoryExchange } from './memory-exchange.ts';

export class MemoryDriver extends MemoryExchange {
  orgStamp: string | null = null;
  /** How many of the next syncItems calls fail with a transient error. */
  syncFailures = 0;
  async getOrgStamp(): Promise<string | null> {
    return this.orgStamp;
  }
  async setOrgStamp(_mailbox: string, orgId: string): Promise<void> {
    this.orgStamp = orgId;
  }
  override async syncItems(...args: Parameters<MemoryExchange['syncItems']>): ReturnType<MemoryExchange['syncItems']> {
    if (this.syncFailures > 0) {
      this.syncFailures--;
      throw new AppError('server_busy', 'The server is busy.', { kind: 'transient' });
    }
    return super.syncItems(...args);
  }
  /** The parts of a MailboxDriver the ACT run calls. */
  asDriver(): MailboxDriver {
    return this as unknown as MailboxDriver;
  }
}
