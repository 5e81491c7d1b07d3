/**
 * What the test run has and lacks, decided once by scripts/test.mjs and passed down in the
 * environment, so every suite skips (or, in CI, fails) for the same stated reason.
 *
 *   describe('…', { skip: conformanceSkip() }, () => { … conformancePath('ews-samples/…') … })
 *   describe('…', { skip: postgresSkip() }, () => { … postgresUrl() … })
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const conformanceDir = process.env['DOVETAIL_CONFORMANCE_DIR'] ?? resolve(projectRoot, '..', 'shared', 'conformance');

/** false when ../shared/conformance is present; otherwise the reason to skip. */
export function conformanceSkip(): false | string {
  if (existsSync(conformanceDir)) return false;
  if (process.env['DOVETAIL_TEST_CONFORMANCE'] === 'required') {
    throw new Error(`DOVETAIL_TEST_CONFORMANCE=required but ${conformanceDir} does not exist`);
  }
  return `conformance kit not found at ${conformanceDir}`;
}

/** Absolute path of a file in the conformance kit (read as published, never copied). */
export function conformancePath(relative: string): string {
  return resolve(conformanceDir, relative);
}

/** false when a PostgreSQL server answered the probe in scripts/test.mjs; otherwise the reason to skip. */
export function postgresSkip(): false | string {
  const reason = process.env['DOVETAIL_TEST_POSTGRES_SKIP'];
  if (process.env['DOVETAIL_TEST_POSTGRES_URL'] && !reason) return false;
  if (process.env['DOVETAIL_TEST_POSTGRES'] === 'required') {
    throw new Error(`DOVETAIL_TEST_POSTGRES=required but PostgreSQL is not available: ${reason ?? 'not probed'}`);
  }
  return reason ?? 'PostgreSQL not probed (run the suite through npm test)';
}

/** Connection string of the server the probe reached (a maintenance database; suites create their own). */
export function postgresUrl(): string {
  const url = process.env['DOVETAIL_TEST_POSTGRES_URL'];
  if (!url) throw new Error('postgresUrl() called while PostgreSQL suites are skipped');
  return url;
}

/** false when a Chromium binary is present for browser tests; otherwise the reason to skip. */
export function browserSkip(): false | string {
  // Set by .ci/run for a run where the browser suite is known to fail, with the reason to print.
  const declared = process.env['DOVETAIL_TEST_BROWSER_SKIP'];
  if (declared) return declared;
  const bin = process.env['DOVETAIL_CHROMIUM'] ?? '/usr/bin/chromium';
  if (existsSync(bin)) return false;
  if (process.env['DOVETAIL_TEST_BROWSER'] === 'required') {
    throw new Error(`DOVETAIL_TEST_BROWSER=required but no Chromium at ${bin}`);
  }
  return `no Chromium at ${bin} (apt-get install chromium)`;
}

export function chromiumPath(): string {
  return process.env['DOVETAIL_CHROMIUM'] ?? '/usr/bin/chromium';
}
