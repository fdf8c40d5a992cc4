module.exports = (s) => String(s);
