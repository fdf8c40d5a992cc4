const https = require('https');
const path = require('path');
const { execFileSync } = require('child_process');

const binary = path.join(__dirname, 'bin', 'widget');
https.get(`https://example.invalid/demo-widget/${process.platform}.json`, (res) => {
  let body = '';
  res.on('data', (chunk) => { body += chunk; });
  res.on('end', () => {
    const manifest = JSON.parse(body);
    const version = execFileSync(binary, ['--version']).toString().trim();
    if (version !== manifest.version) console.warn('demo-widget: binary is', version);
  });
});
