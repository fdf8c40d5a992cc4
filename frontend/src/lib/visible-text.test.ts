import { describe, expect, it } from 'vitest';
import { visibleText } from './visible-text';

describe('visibleText', () => {
  it('shows bidi overrides, isolates, zero-width and control characters as code points', () => {
    expect(visibleText('left-pad\u202e@1.3.0')).toBe('left-pad<U+202E>@1.3.0');
    expect(visibleText('package/lib/evil\u202esj.txt.js')).toBe('package/lib/evil<U+202E>sj.txt.js');
    expect(visibleText('a\u2066b\u2069c\u200bd\u0000e\u007f')).toBe('a<U+2066>b<U+2069>c<U+200B>d<U+0000>e<U+007F>');
    expect(visibleText('new\nline\r\ttab')).toBe('new<U+000A>line<U+000D><U+0009>tab');
  });

  it('leaves ordinary names, markup and non-Latin letters alone', () => {
    for (const name of ['requests', '@scope/pkg@1.0.0', '<img src=x onerror=alert(1)>.js', 'café.py', 'реquests']) {
      expect(visibleText(name)).toBe(name);
    }
  });
});
