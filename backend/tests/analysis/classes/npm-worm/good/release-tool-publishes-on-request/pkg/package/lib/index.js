const { publish } = require('./publish');
module.exports = { publish };
