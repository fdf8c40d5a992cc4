'use strict';
module.exports = require('bindings')('fasthash');
