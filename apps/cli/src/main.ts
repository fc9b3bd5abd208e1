#!/usr/bin/env node
process.stdout.write('portcullis: not yet\n');
