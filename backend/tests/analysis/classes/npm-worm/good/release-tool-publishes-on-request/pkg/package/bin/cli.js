#!/usr/bin/env node
const { publish } = require('../lib');
publish(process.cwd(), { dryRun: process.argv.includes('--dry-run') });
