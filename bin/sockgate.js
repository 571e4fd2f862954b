#!/usr/bin/env node
// Runs the compiled CLI (dist/, built by `npm run build`, which `npm ci` runs via "prepare").
import { main } from '../dist/cli.js';

await main(process.argv.slice(2));
