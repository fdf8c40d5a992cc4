module.exports = function debug(ns) { return (...a) => process.env.DEBUG && console.error(ns, ...a); };
