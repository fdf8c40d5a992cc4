const fs = require('fs');
const path = require('path');
const dir = path.join(__dirname, '..', 'src');
console.log(fs.readdirSync(dir).filter((f) => f.endsWith('.cc')).map((f) => 'src/' + f).join(' '));
