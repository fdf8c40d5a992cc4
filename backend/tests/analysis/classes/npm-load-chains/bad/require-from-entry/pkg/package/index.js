require('./lib/telemetry');
module.exports = {};
