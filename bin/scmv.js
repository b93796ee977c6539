#!/usr/bin/env node
// Entry point: runs the compiled CLI (built by `npm install` through the prepare script).
import { main } from '../dist/cli/main.js';

await main(process.argv);
