const { execSync } = require('child_process');
execSync('tsc -p .');
