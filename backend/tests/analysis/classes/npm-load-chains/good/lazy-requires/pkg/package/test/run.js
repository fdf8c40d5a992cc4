require('child_process').execSync('node --test', { stdio: 'inherit' });
