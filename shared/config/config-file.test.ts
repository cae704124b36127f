import { describe, expect, it } from 'vitest';
import { configFormatOf } from './config-file.js';

describe('configFormatOf', () => {
  it('follows the extension, whatever the content', () => {
    expect(configFormatOf('/etc/a.json', 'deviceId: x')).toMatchObject({ format: 'JSON' });
    expect(configFormatOf('/etc/a.YML', '{"deviceId": "x"}')).toMatchObject({ format: 'YAML' });
    expect(configFormatOf('a.yaml', '')).toEqual({ format: 'YAML', rule: 'its name ends in .yaml' });
  });

  it('reads any other name by its first character, and states the rule', () => {
    expect(configFormatOf('agent.conf', '  \n{"a": 1}')).toEqual({
      format: 'JSON',
      rule: 'its name ends in .conf and it starts with "{"',
    });
    expect(configFormatOf('agent', 'a: 1')).toEqual({
      format: 'YAML',
      rule: 'its name has no extension and it does not start with "{"',
    });
  });
});
