const { execFileSync } = require('child_process');
const fs = require('fs');

function publish(dir, { tag = 'latest', dryRun = false } = {}) {
  const doc = JSON.parse(fs.readFileSync(dir + '/package.json', 'utf8'));
  const args = ['publish', '--tag', tag];
  if (dryRun) args.push('--dry-run');
  execFileSync('npm', args, { cwd: dir, stdio: 'inherit' });
  return doc.version;
}

module.exports = { publish };
