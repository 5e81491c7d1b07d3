#!/usr/bin/env node
// Refreshes docs/screenshots/*.png for the README: runs the admin center's browser tests (which
// drive Chromium through every page, against the Exchange lab for admin-center) with their
// screenshots sent to a temp dir, then copies the pages the docs show. With ImageMagick present,
// each PNG is reduced to a 256-colour palette, which keeps the flat UI crisp at a fraction of the size.
//   node scripts/screenshots.mjs              every test below
//   node scripts/screenshots.mjs act-admin    only the pictures of that test
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'docs', 'screenshots');
const shots = mkdtempSync(join(tmpdir(), 'dovetail-shots-'));
/** Each test and the pictures it takes that the docs show. */
const tests = {
  'admin-center': ['sign-in', 'dashboard', 'mailboxes', 'test-and-enable', 'mailbox', 'profiles', 'profile-exchange-server', 'profile-hma-validation', 'test-connection', 'settings', 'alerts', 'hma', 'hma-result', 'dashboard-narrow'],
  'act-admin': ['act-mailbox', 'act-policy'],
};
const chosen = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(tests);
for (const name of chosen) if (!(name in tests)) {
  console.error(`unknown test ${name}; one of ${Object.keys(tests).join(', ')}`);
  process.exit(1);
}
const pages = chosen.flatMap((name) => tests[name]);
const allPages = Object.values(tests).flat();

try {
  for (const name of chosen) {
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', join(root, `test/browser/${name}.test.ts`)], {
      cwd: root, stdio: 'inherit', env: { ...process.env, DOVETAIL_SCREENSHOTS_DIR: shots, DOVETAIL_TEST_BROWSER: 'required' },
    });
    if (run.status !== 0) {
      console.error(`The browser test ${name} failed; docs/screenshots left as they were.`);
      process.exit(run.status ?? 1);
    }
  }
  mkdirSync(out, { recursive: true });
  const magick = spawnSync('convert', ['-version']).status === 0;
  for (const name of pages) {
    const from = join(shots, `${name}.png`);
    const to = join(out, `${name}.png`);
    if (magick) {
      const r = spawnSync('convert', [from, '-strip', '-colors', '256', `PNG8:${to}`]);
      if (r.status !== 0) copyFileSync(from, to);
    } else copyFileSync(from, to);
    console.log(`${to.slice(root.length + 1)}  ${Math.round(statSync(to).size / 1024)} KB`);
  }
  for (const stale of readdirSync(out)) if (stale.endsWith('.png') && !allPages.includes(stale.slice(0, -4))) rmSync(join(out, stale));
} finally {
  rmSync(shots, { recursive: true, force: true });
}
