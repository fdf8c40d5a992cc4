const path = require('path');
const { Worker } = require('worker_threads');

function startPool(size) {
  const workers = [];
  for (let i = 0; i < size; i += 1) {
    workers.push(new Worker(path.join(__dirname, 'worker.js'), { workerData: { id: i } }));
  }
  return workers;
}

async function loadPlugin(name) {
  const mod = await import(`./plugins/${name}.js`);
  return mod.default;
}

module.exports = { startPool, loadPlugin };
