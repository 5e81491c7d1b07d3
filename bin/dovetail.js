#!/usr/bin/env node
// Runs the TypeScript sources through tsx's loader, so there is no build step between
// a checkout and a running service.
import { register } from 'tsx/esm/api';
register();
const { runCli } = await import('../src/cli/index.ts');
process.exitCode = await runCli(process.argv.slice(2));
