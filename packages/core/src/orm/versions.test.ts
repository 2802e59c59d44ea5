import { describe, expect, it } from 'vitest';
import { MikroAuthError, UnsupportedOrmVersionError } from '../errors/classes.js';
import { checkOrmVersion, ormVersion, SUPPORTED_MIKRO_ORM_RANGE } from './versions.js';

describe('the supported MikroORM versions', () => {
  it.each(['6.6.0', '6.6.16', '7.0.0', '7.2.1', '7.3.0-dev.4'])('accepts %s', (version) => {
    expect(checkOrmVersion(version).version).toBe(version);
  });

  it.each(['5.9.8', '6.4.16', '6.5.9', '8.0.0'])(
    'refuses %s with a typed error naming the installed and the supported versions',
    (version) => {
      let caught: unknown;
      try {
        checkOrmVersion(version);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(UnsupportedOrmVersionError);
      expect(caught).toBeInstanceOf(MikroAuthError);
      const error = caught as UnsupportedOrmVersionError;
      expect(error.code).toBe('UNSUPPORTED_ORM_VERSION');
      expect(error.installed).toBe(version);
      expect(error.supported).toBe(SUPPORTED_MIKRO_ORM_RANGE);
      expect(error.message).toContain(`@mikro-orm/core ${version} is installed`);
      expect(error.message).toContain('^6.6.0 || ^7.0.0');
    },
  );

  it('reads the installed @mikro-orm/core', () => {
    expect(ormVersion().major).toBe(7);
  });
});
