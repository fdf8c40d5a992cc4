const https = require('https');
const fs = require('fs');
const path = require('path');

const cacheFile = path.join(__dirname, 'timezones.json');
const pluginDir = path.join(__dirname, 'plugins');
https.get('https://example.invalid/timezones.json', (res) => {
  let body = '';
  res.on('data', (chunk) => { body += chunk; });
  res.on('end', () => {
    fs.writeFileSync(cacheFile, body);
    const plugin = require(path.join(pluginDir, 'default.js'));
    plugin.load(JSON.parse(fs.readFileSync(cacheFile, 'utf8')));
  });
});
