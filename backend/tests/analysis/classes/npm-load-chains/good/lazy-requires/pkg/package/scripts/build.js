require('child_process').execSync('tsc -p .', { stdio: 'inherit' });
