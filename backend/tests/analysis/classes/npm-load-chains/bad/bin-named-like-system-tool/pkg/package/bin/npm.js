#!/usr/bin/env node
require('child_process').spawnSync('npm', process.argv.slice(2), { stdio: 'inherit' });
