import { describe, expect, it } from 'vitest';
import { modelName, pascalCase, snakeCase } from './naming.js';

describe('snakeCase', () => {
  it.each([
    ['email', 'email'],
    ['emailVerified', 'email_verified'],
    ['providerAccountId', 'provider_account_id'],
    ['credentialID', 'credential_id'],
    ['HTTPServer', 'http_server'],
    ['refresh_token', 'refresh_token'],
    ['expires2At', 'expires2_at'],
  ])('%s → %s', (name, expected) => {
    expect(snakeCase(name)).toBe(expected);
  });
});

describe('pascalCase', () => {
  it.each([
    ['user', 'User'],
    ['twoFactor', 'TwoFactor'],
    ['two_factor', 'TwoFactor'],
    ['two-factor', 'TwoFactor'],
    ['verification', 'Verification'],
    ['oauth2_client', 'Oauth2Client'],
  ])('%s → %s', (key, expected) => {
    expect(pascalCase(key)).toBe(expected);
  });
});

describe('modelName', () => {
  it('is the key when the options map it to an entity', () => {
    expect(modelName('user', { user: 'AppUser' }, 'User')).toBe('user');
  });

  it('is the default when the key is not mapped', () => {
    expect(modelName('session', { user: 'AppUser' }, 'Session')).toBe('Session');
    expect(modelName('session', undefined, 'Session')).toBe('Session');
    expect(modelName('session', { session: undefined }, 'Session')).toBe('Session');
  });

  it('ignores names inherited from Object.prototype', () => {
    expect(modelName('constructor', {}, 'Constructor')).toBe('Constructor');
  });
});
