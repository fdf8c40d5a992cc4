module.exports = (c) => String(c).toLowerCase();
