import { describe, expect, it } from 'vitest';
import { UnknownFieldError } from '../errors/classes.js';
import { FieldMap, joinKey } from './field-map.js';
import { model } from './model.fixture.js';

const user = model('User', [
  ['uid', 'uid'],
  ['mail', 'mail'],
  ['verifiedAt', 'email_verified'],
  ['role', 'role'],
]);
const session = model('Session', [
  ['pk', 'pk'],
  ['owner', 'owner_id'],
  ['token', 'token'],
]);

describe('FieldMap', () => {
  const users = new FieldMap(user, [
    { field: 'id', primaryKey: true },
    { field: 'email', names: ['email', 'mail'] },
    { field: 'emailVerified', names: ['emailVerified', 'email_verified'] },
    { field: 'image' },
  ]);

  it('maps each field to the first property or column it names, and the key to the primary key', () => {
    expect(users.name).toBe('User');
    expect(users.propertyOf('id')).toBe('uid');
    expect(users.propertyOf('email')).toBe('mail');
    expect(users.propertyOf('emailVerified')).toBe('verifiedAt');
    expect(users.fieldOf('verifiedAt')).toBe('emailVerified');
  });

  it('leaves an optional field with no match unmapped, and passes unmapped names through', () => {
    expect(users.propertyOf('image')).toBeUndefined();
    expect(users.property('image')).toBe('image');
    expect(users.property('role')).toBe('role');
    expect(users.field('role')).toBe('role');
    expect(users.fieldOf('role')).toBeUndefined();
  });

  it('throws UnknownFieldError naming the first name of a required field that matches nothing', () => {
    const build = () =>
      new FieldMap(user, [
        { field: 'name', names: ['displayName', 'display_name'], required: true },
      ]);
    expect(build).toThrow(UnknownFieldError);
    expect(build).toThrow(
      /Unknown field "displayName" on model "User".*uid, mail, verifiedAt, role/,
    );
  });

  it('renames data to properties and rows back to fields', () => {
    expect(
      users.toProperties({ id: 'u1', email: 'a@b.c', role: 'admin', extra: undefined }),
    ).toEqual({
      uid: 'u1',
      mail: 'a@b.c',
      role: 'admin',
      extra: undefined,
    });
    expect(users.toFields({ uid: 'u1', mail: 'a@b.c', verifiedAt: null, role: 'admin' })).toEqual({
      id: 'u1',
      email: 'a@b.c',
      emailVerified: null,
      role: 'admin',
    });
  });

  it('leaves out omitted properties and joined rows', () => {
    const row = { uid: 'u1', mail: 'a@b.c', role: 'admin', [joinKey('session')]: [] };
    expect(users.toFields(row, ['role', undefined])).toEqual({ id: 'u1', email: 'a@b.c' });
  });

  it('renames where clauses and keeps their other parts', () => {
    expect(
      users.toWhere([
        { field: 'email', value: 'a@b.c', operator: 'eq', connector: 'OR' },
        { field: 'role', value: ['x'], operator: 'in' },
      ]),
    ).toEqual([
      { field: 'mail', value: 'a@b.c', operator: 'eq', connector: 'OR' },
      { field: 'role', value: ['x'], operator: 'in' },
    ]);
    expect(users.toWhere(undefined)).toEqual([]);
  });

  it('when two fields resolve to one property, renames rows to the later field', () => {
    const map = new FieldMap(user, [
      { field: 'id', primaryKey: true },
      { field: 'userId', names: ['uid'] },
    ]);
    expect(map.propertyOf('id')).toBe('uid');
    expect(map.propertyOf('userId')).toBe('uid');
    expect(map.toFields({ uid: 'u1' })).toEqual({ userId: 'u1' });
  });
});

describe('FieldMap joins', () => {
  const users = new FieldMap(user, [
    { field: 'id', primaryKey: true },
    { field: 'email', names: ['mail'] },
  ]);
  const sessions = new FieldMap(session, [
    { field: 'userId', names: ['owner_id'] },
    { field: 'sessionToken', names: ['token'] },
  ]);

  it('builds a store join on properties, keyed where no property can be', () => {
    expect(
      sessions.join(users, { as: 'user', on: { from: 'userId', to: 'id' }, relation: 'one' }),
    ).toEqual({
      as: '$join:user',
      model: 'User',
      on: { from: 'owner', to: 'uid' },
      relation: 'one',
    });
    expect(
      users.join(sessions, {
        as: 'session',
        on: { from: 'id', to: 'userId' },
        relation: 'many',
        limit: 5,
      }),
    ).toEqual({
      as: '$join:session',
      model: 'Session',
      on: { from: 'uid', to: 'owner' },
      relation: 'many',
      limit: 5,
    });
  });

  it('reads a joined row, null, or joined rows under framework field names', () => {
    const row = {
      uid: 'u1',
      [joinKey('user')]: { uid: 'u1', mail: 'a@b.c' },
      [joinKey('none')]: null,
      [joinKey('session')]: [{ pk: 1, owner: 'u1', token: 't' }],
    };
    expect(users.readJoin(row, 'user')).toEqual({ id: 'u1', email: 'a@b.c' });
    expect(users.readJoin(row, 'none')).toBeNull();
    expect(users.readJoin(row, 'absent')).toBeNull();
    expect(sessions.readJoin(row, 'session')).toEqual([{ pk: 1, userId: 'u1', sessionToken: 't' }]);
  });
});
