module.exports = function withRetry(fetchImpl = globalThis.fetch, tries = 3) {
  return async function retrying(...args) {
    let last;
    for (let i = 0; i < tries; i++) {
      try { return await fetchImpl(...args); } catch (e) { last = e; }
    }
    throw last;
  };
};
