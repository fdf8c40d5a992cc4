module.exports = { run: () => require('./lib/run')() };
