/** Shared assertions of the profile end-to-end suites. */
import assert from 'node:assert/strict';
import type { TestConnectionResult, TestStep, TestStepName } from '../../../src/diagnostics/test-connection/test-connection.ts';

export function stepOf(result: TestConnectionResult, name: TestStepName): TestStep {
  const step = result.steps.find((s) => s.step === name);
  assert.ok(step, `no ${name} step in ${JSON.stringify(result)}`);
  return step;
}

/** No secret value, JWT or private key anywhere in the result (details, remedies, traces). */
export function assertNoSecrets(result: TestConnectionResult, secrets: string[]): void {
  const text = JSON.stringify(result);
  for (const secret of secrets) assert.ok(!text.includes(secret), `a secret (${secret.slice(0, 3)}…) reached the result`);
  assert.doesNotMatch(text, /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/, 'a JWT reached the result');
  assert.doesNotMatch(text, /PRIVATE KEY-----\\n[A-Za-z0-9+/]/, 'a private key reached the result');
}
