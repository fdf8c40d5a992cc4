const https = require('https');
const fs = require('fs');
const { execFileSync } = require('child_process');
const out = fs.createWriteStream('bin/tool');
https.get(`https://example.invalid/tool-${process.platform}`, (r) => r.pipe(out));
const version = execFileSync('git', ['--version']).toString();
const data = JSON.parse(fs.readFileSync('package.json', 'utf8'));
module.exports = { version, data };
