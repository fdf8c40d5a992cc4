const fs = require('fs');
const png = fs.readFileSync(__dirname + '/logo.png');
const width = png.readUInt32BE(16);
const config = eval(fs.readFileSync(__dirname + '/config.js', 'utf8'));
module.exports = { width, config };
