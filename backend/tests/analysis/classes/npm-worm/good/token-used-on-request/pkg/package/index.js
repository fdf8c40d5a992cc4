const https = require('https');
function repo(name) {
  const token = process.env.GITHUB_TOKEN;
  return new Promise((resolve) => https.get({ host: 'api.github.com', path: '/repos/' + name, headers: { authorization: 'token ' + token, 'user-agent': 'x' } }, resolve));
}
module.exports = { repo };
