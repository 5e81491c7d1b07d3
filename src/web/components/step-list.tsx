/** Steps of a check with pass/fail, the failure detail and what to do about it. */
export type Step = { name: string; ok: boolean; skipped?: boolean; detail: string; remedy?: string; code?: string; trace?: string; durationMs?: number };

const STEP_NAME: Record<string, string> = {
  incoming: 'Incoming email', outgoing: 'Outgoing email', act: 'Appointments, contacts and tasks', orgStamp: 'Synchronized with this org',
  configuration: 'Configuration', autodiscover: 'Autodiscover', tls: 'TLS', authentication: 'Authentication', 'mailbox-access': 'Mailbox access', impersonation: 'Impersonation', permissions: 'Permissions',
};

/** Reads a job item's result ({incoming: {ok, detail, remedy, errorCode}, …}) as steps. */
export function stepsOf(result: Record<string, unknown>): Step[] {
  const out: Step[] = [];
  for (const [name, value] of Object.entries(result)) {
    if (typeof value !== 'object' || value === null || !('ok' in value)) continue;
    const v = value as { ok: boolean; detail?: string; remedy?: string; errorCode?: string; trace?: string };
    out.push({ name, ok: v.ok, detail: v.detail ?? '', ...(v.remedy ? { remedy: v.remedy } : {}), ...(v.errorCode ? { code: v.errorCode } : {}), ...(v.trace ? { trace: v.trace } : {}) });
  }
  return out;
}

export function StepList({ steps }: { steps: ReadonlyArray<Step> }) {
  return (
    <ol class="steps">
      {steps.map((s) => (
        <li key={s.name} class={s.skipped ? 'step-skipped' : s.ok ? 'step-ok' : 'step-bad'}>
          <span class="step-mark" aria-hidden="true">{s.skipped ? '–' : s.ok ? '✓' : '✕'}</span>
          <div>
            <strong>{STEP_NAME[s.name] ?? s.name}</strong> <span class={s.skipped ? 'muted' : 'sr-only'}>{s.skipped ? (s.ok ? 'not applicable' : 'not run') : s.ok ? 'passed' : 'failed'}</span>
            {s.durationMs !== undefined && !s.skipped && <span class="muted"> · {s.durationMs} ms</span>}
            {s.code && <code class="muted"> {s.code}</code>}
            <p>{s.detail}</p>
            {!s.ok && !s.skipped && s.remedy && <p class="remedy"><strong>What to do:</strong> {s.remedy}</p>}
            {s.trace && <details><summary>Last request and response (redacted)</summary><pre tabIndex={0} aria-label={`${STEP_NAME[s.name] ?? s.name}: last request and response`}>{s.trace}</pre></details>}
          </div>
        </li>
      ))}
    </ol>
  );
}
