const path = require('path');
const load = (lang) => require(path.join(__dirname, 'locales', lang + '.json'));
const hasFetch = typeof globalThis['fetch'] === 'function';
const isFn = (f) => f && f.constructor && f.constructor.name === 'Function';
module.exports = { load, hasFetch, isFn, plugin: (name) => import(name) };
