import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { projectRoot } from '../support/env.ts';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('docs/hma-readiness.md', () => {
  it('documents every finding and input-problem code the analyzer can emit', () => {
    const doc = readFileSync(resolve(projectRoot, 'docs', 'hma-readiness.md'), 'utf8');
    const codes = new Set<string>();
    for (const file of sources(resolve(projectRoot, 'src', 'diagnostics', 'hma'))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/['`]((?:hma|input)\.[a-z0-9-]+(?:\.[a-z0-9-]+)*)['`]/g)) codes.add(m[1]!);
    }
    assert.ok(codes.size > 40, `found ${codes.size} codes`);
    const documented = (code: string) => {
      if (doc.includes(`\`${code}\``)) return true;
      // "`hma.auth-server.no-default` / `several-defaults`" style rows name siblings by their last part.
      const last = code.split('.').pop()!;
      return doc.includes(`\`${last}\``) && doc.includes(`\`${code.slice(0, code.lastIndexOf('.'))}.`);
    };
    const missing = [...codes].filter((c) => !documented(c));
    assert.deepEqual(missing, []);
  });
});
