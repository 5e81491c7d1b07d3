/**
 * The steps of profile Test Connection, always reported in this order with these names, whichever
 * profile type ran them. A step is passed, failed, or skipped: skipped because it does not apply to
 * the profile (ok, e.g. Autodiscover when it is off), or because an earlier failure makes it
 * meaningless (not ok: nothing was proven). Details and traces are redacted before they leave.
 */
import type { Clock } from '../../clock.ts';
import { AppError, toError } from '../../errors.ts';
import { redact } from '../redact.ts';

export const TEST_STEPS = ['configuration', 'autodiscover', 'tls', 'authentication', 'impersonation', 'mailbox-access', 'permissions'] as const;
export type TestStepName = (typeof TEST_STEPS)[number];

export type TestStep = {
  step: TestStepName;
  ok: boolean;
  /** True when the step was not run (see `ok` for whether that is a problem). */
  skipped: boolean;
  detail: string;
  remedy?: string;
  trace?: string;
  durationMs: number;
};

export type TestConnectionResult = { ok: boolean; profileId: string; mailbox: string | null; steps: TestStep[] };

export type StepOutcome = { ok: boolean; detail: string; remedy?: string; trace?: string; durationMs?: number };

export class StepRecorder {
  readonly #outcomes = new Map<TestStepName, TestStep>();
  readonly #clock: Clock;
  readonly #secrets: readonly string[];

  constructor(clock: Clock, knownSecrets: readonly string[]) {
    this.#clock = clock;
    this.#secrets = knownSecrets;
  }

  get failed(): boolean {
    return [...this.#outcomes.values()].some((s) => !s.ok);
  }

  /** Records an outcome; a second outcome for the same step adds to the first (a failure wins). */
  set(step: TestStepName, outcome: StepOutcome): void {
    const clean: TestStep = {
      step,
      ok: outcome.ok,
      skipped: false,
      detail: redact(outcome.detail, this.#secrets),
      ...(outcome.remedy === undefined ? {} : { remedy: redact(outcome.remedy, this.#secrets) }),
      ...(outcome.trace === undefined ? {} : { trace: redact(outcome.trace, this.#secrets) }),
      durationMs: outcome.durationMs ?? 0,
    };
    const before = this.#outcomes.get(step);
    if (before === undefined || before.skipped) {
      this.#outcomes.set(step, clean);
      return;
    }
    const merged: TestStep = {
      ...(before.ok ? clean : before),
      ok: before.ok && clean.ok,
      detail: before.ok === clean.ok ? `${before.detail} ${clean.detail}` : before.ok ? clean.detail : before.detail,
      durationMs: before.durationMs + clean.durationMs,
    };
    // The same exchange can decide two outcomes of a step (a token both sides checked): shown once.
    const traces = [...new Set([before.trace, clean.trace].filter((t) => t !== undefined))];
    if (traces.length > 0) merged.trace = traces.join('\n\n');
    this.#outcomes.set(step, merged);
  }

  notApplicable(step: TestStepName, why: string): void {
    this.#outcomes.set(step, { step, ok: true, skipped: true, detail: why, durationMs: 0 });
  }

  /** Runs one step; a thrown error is the step's failure, explained by `explain`. Returns whether it passed. */
  async run(step: TestStepName, body: () => Promise<StepOutcome>, explain: (error: Error) => StepOutcome = describeError): Promise<boolean> {
    const started = this.#clock.now();
    let outcome: StepOutcome;
    try {
      outcome = await body();
    } catch (error) {
      outcome = explain(toError(error));
    }
    this.set(step, { ...outcome, durationMs: outcome.durationMs ?? this.#clock.now() - started });
    return outcome.ok;
  }

  result(profileId: string, mailbox: string | null): TestConnectionResult {
    let blocked: TestStepName | undefined;
    const steps: TestStep[] = [];
    for (const name of TEST_STEPS) {
      const s = this.#outcomes.get(name);
      if (s !== undefined) {
        steps.push(s);
        if (!s.ok && blocked === undefined) blocked = name;
      } else {
        steps.push({ step: name, ok: false, skipped: true, detail: blocked === undefined ? 'Not checked.' : `Not checked: the ${blocked} step failed.`, durationMs: 0 });
      }
    }
    return { ok: steps.every((s) => s.ok), profileId, mailbox, steps };
  }
}

/** An error as a failed step: its message, the remedy it carries, its details as the trace. */
export function describeError(error: Error): StepOutcome {
  if (!(error instanceof AppError)) return { ok: false, detail: error.message };
  const remedy = typeof error.details['remedy'] === 'string' ? error.details['remedy'] : undefined;
  const provider = error.providerCode === undefined ? '' : ` [${error.providerCode}${error.providerMessage === undefined ? '' : `: ${error.providerMessage}`}]`;
  const details = Object.fromEntries(Object.entries(error.details).filter(([k]) => k !== 'remedy'));
  return {
    ok: false,
    detail: `${error.message}${error.message.includes(error.providerCode ?? '\u0000') ? '' : provider}`,
    ...(remedy === undefined ? {} : { remedy }),
    ...(Object.keys(details).length === 0 ? {} : { trace: JSON.stringify({ code: error.code, kind: error.kind, ...details }) }),
  };
}
