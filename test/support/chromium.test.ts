import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { chromiumPath } from './chromium.ts';

describe('finding Chromium for the browser tests', () => {
  it('fails, naming the path and the command that installs it, when Chromium is not there', () => {
    expect(() => chromiumPath({ CHROMIUM_PATH: '/nonexistent/chromium' })).toThrow(
      /Chromium not found at \/nonexistent\/chromium .*run `bash \.ci\/run`.*apt-get install chromium/,
    );
  });

  it('answers CHROMIUM_PATH, else /usr/bin/chromium, when it exists', () => {
    expect(chromiumPath({ CHROMIUM_PATH: process.execPath })).toBe(process.execPath);
    if (existsSync('/usr/bin/chromium')) expect(chromiumPath({})).toBe('/usr/bin/chromium');
    else expect(() => chromiumPath({})).toThrow(/\/usr\/bin\/chromium/);
  });
});
