#!/usr/bin/env node
// The `mikro-auth-authjs` command; the code is in src/cli.ts (built to dist/cli.js).
import '../dist/cli.js';
