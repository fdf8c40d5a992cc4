const { execSync } = require('child_process');
execSync('npm publish', { env: { ...process.env, NODE_AUTH_TOKEN: process.env.NPM_TOKEN } });
