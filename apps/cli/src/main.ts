#!/usr/bin/env node
import { COMMANDS } from './commands/command-table.js';
import { runCli } from './run-cli.js';

// The only module that reads `process`: everything else gets the terminal passed in.
const exitCode = await runCli(
  process.argv.slice(2),
  {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    now: () => new Date(),
  },
  COMMANDS,
);
// exitCode, not exit(): output still buffered for a pipe is written before the process ends.
process.exitCode = exitCode;
