const fs = require('fs');
fs.writeFileSync('version.h', `#define V "${fs.readFileSync('version.txt', 'utf8').trim()}"\n`);
