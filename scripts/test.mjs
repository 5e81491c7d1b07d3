#!/usr/bin/env node
// The README's test command. Decides once what this machine has (the conformance kit,
// PostgreSQL, Chromium), says plainly which suites will be skipped and why, type-checks,
// then runs every *.test.ts under src/ and test/ with node's test runner.
// In CI, DOVETAIL_TEST_POSTGRES=required / DOVETAIL_TEST_CONFORMANCE=required / DOVETAIL_TEST_BROWSER=required
// turn a missing dependency into a failure instead of a skip.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env };
const skipped = [];
const failures = [];

// 1. Conformance kit
const conformanceDir = env.DOVETAIL_CONFORMANCE_DIR ?? resolve(root, '..', 'shared', 'conformance');
if (existsSync(conformanceDir)) {
  env.DOVETAIL_CONFORMANCE_DIR = conformanceDir;
} else if (env.DOVETAIL_TEST_CONFORMANCE === 'required') {
  failures.push(`conformance kit required but not found at ${conformanceDir}`);
} else {
  skipped.push(`conformance suites: kit not found at ${conformanceDir}`);
}

// 2. PostgreSQL
const pgUrl = env.DOVETAIL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const probe = spawnSync(
  process.execPath,
  [
    '-e',
    `const pg=require('pg');const c=new pg.Client({connectionString:process.argv[1],connectionTimeoutMillis:3000});` +
      `c.connect().then(()=>c.query('select 1')).then(()=>c.end()).then(()=>process.exit(0),e=>{console.error(e.message);process.exit(1)})`,
    pgUrl,
  ],
  { cwd: root, encoding: 'utf8' },
);
if (probe.status === 0) {
  env.DOVETAIL_TEST_POSTGRES_URL = pgUrl;
  delete env.DOVETAIL_TEST_POSTGRES_SKIP;
} else {
  const reason = `PostgreSQL not reachable at ${pgUrl.replace(/:[^:@/]*@/, ':***@')}: ${(probe.stderr || '').trim().split('\n').pop()}`;
  if (env.DOVETAIL_TEST_POSTGRES === 'required') failures.push(reason);
  else {
    env.DOVETAIL_TEST_POSTGRES_SKIP = reason;
    delete env.DOVETAIL_TEST_POSTGRES_URL;
    skipped.push(`PostgreSQL suites: ${reason}`);
  }
}

// 3. Chromium for the admin center's browser tests
const chromium = env.DOVETAIL_CHROMIUM ?? '/usr/bin/chromium';
if (env.DOVETAIL_TEST_BROWSER_SKIP) {
  skipped.push(`browser suites: ${env.DOVETAIL_TEST_BROWSER_SKIP}`);
} else if (!existsSync(chromium)) {
  if (env.DOVETAIL_TEST_BROWSER === 'required') failures.push(`Chromium required but not found at ${chromium}`);
  else skipped.push(`browser suites: no Chromium at ${chromium} (apt-get install chromium)`);
}

const banner = (title, lines) => {
  if (lines.length === 0) return;
  console.log(`\n== ${title} ==`);
  for (const l of lines) console.log(`  - ${l}`);
};
banner('Missing requirements (failing)', failures);
if (failures.length > 0) process.exit(1);
banner('Suites skipped on this machine', skipped);

// 4. Type-check the whole project
const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', root], {
  cwd: root,
  stdio: 'inherit',
});
if (tsc.status !== 0) {
  console.error('\nType check failed.');
  process.exit(tsc.status ?? 1);
}

// 5. Collect and run the tests
const files = [];
const walk = (dir) => {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full);
    else if (name.endsWith('.test.ts')) files.push(relative(root, full));
  }
};
const only = process.argv.slice(2);
walk(join(root, 'src'));
walk(join(root, 'test'));
const selected = only.length > 0 ? files.filter((f) => only.some((o) => f.includes(o))) : files;
selected.sort();
if (selected.length === 0) {
  console.error('No test files found.');
  process.exit(1);
}
const run = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000', ...selected],
  { cwd: root, stdio: 'inherit', env },
);
banner('Suites skipped on this machine', skipped);
process.exit(run.status ?? 1);
