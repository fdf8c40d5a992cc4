import { describe, expect, it } from 'vitest';
import { formatBytes } from './format';

const MB = 1024 * 1024;

describe('formatBytes', () => {
  it('uses binary units', () => {
    expect(formatBytes(812)).toBe('812 B');
    expect(formatBytes(3.4 * 1024)).toBe('3.4 KB');
    expect(formatBytes(50 * MB)).toBe('50 MB');
  });
});
