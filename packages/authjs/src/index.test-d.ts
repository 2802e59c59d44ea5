import type {
  Adapter,
  AdapterAccount,
  AdapterAuthenticator,
  AdapterSession,
  AdapterUser,
  VerificationToken,
} from '@auth/core/adapters';
import type { FieldSpec, ModelTarget, OrmSource, ReadRouting, TableSpec } from '@mikro-auth/core';
import { defineEntity, type EntityClass, EntitySchema, p } from '@mikro-orm/core';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type AuthjsAdapter,
  type AuthjsEntitiesOptions,
  type AuthjsEntity,
  type AuthjsFieldNames,
  type AuthjsFields,
  type AuthjsModel,
  type AuthjsTablesOptions,
  authjsDefaultEntities,
  authjsEntities,
  authjsTables,
  MikroOrmAdapter,
  type MikroOrmAdapterOptions,
  mikroOrmAdapter,
} from './index.js';

type AccountKey = Pick<AdapterAccount, 'provider' | 'providerAccountId'>;

describe('MikroOrmAdapter', () => {
  it('takes an ORM source and options and returns the full adapter', () => {
    expectTypeOf(MikroOrmAdapter).parameters.toEqualTypeOf<
      [orm: OrmSource, options?: MikroOrmAdapterOptions]
    >();
    expectTypeOf(MikroOrmAdapter).returns.toEqualTypeOf<AuthjsAdapter>();
    expectTypeOf(mikroOrmAdapter).toEqualTypeOf(MikroOrmAdapter);
  });

  it('is an Auth.js Adapter with every method present', () => {
    expectTypeOf<AuthjsAdapter>().toExtend<Adapter>();
    expectTypeOf<AuthjsAdapter>().toExtend<Required<Adapter>>();
  });

  it('types each method with the exact results Auth.js documents', () => {
    expectTypeOf<AuthjsAdapter['createUser']>().toEqualTypeOf<
      (user: AdapterUser) => Promise<AdapterUser>
    >();
    expectTypeOf<AuthjsAdapter['getUser']>().toEqualTypeOf<
      (id: string) => Promise<AdapterUser | null>
    >();
    expectTypeOf<AuthjsAdapter['getUserByEmail']>().toEqualTypeOf<
      (email: string) => Promise<AdapterUser | null>
    >();
    expectTypeOf<AuthjsAdapter['getUserByAccount']>().toEqualTypeOf<
      (account: AccountKey) => Promise<AdapterUser | null>
    >();
    expectTypeOf<AuthjsAdapter['updateUser']>().toEqualTypeOf<
      (user: Partial<AdapterUser> & Pick<AdapterUser, 'id'>) => Promise<AdapterUser>
    >();
    expectTypeOf<AuthjsAdapter['deleteUser']>().toEqualTypeOf<
      (userId: string) => Promise<AdapterUser | null>
    >();
    expectTypeOf<AuthjsAdapter['linkAccount']>().toEqualTypeOf<
      (account: AdapterAccount) => Promise<AdapterAccount>
    >();
    expectTypeOf<AuthjsAdapter['unlinkAccount']>().toEqualTypeOf<
      (account: AccountKey) => Promise<AdapterAccount | undefined>
    >();
    expectTypeOf<AuthjsAdapter['createSession']>().toEqualTypeOf<
      (session: AdapterSession) => Promise<AdapterSession>
    >();
    expectTypeOf<AuthjsAdapter['getSessionAndUser']>().toEqualTypeOf<
      (sessionToken: string) => Promise<{ session: AdapterSession; user: AdapterUser } | null>
    >();
    expectTypeOf<AuthjsAdapter['updateSession']>().toEqualTypeOf<
      (
        session: Partial<AdapterSession> & Pick<AdapterSession, 'sessionToken'>,
      ) => Promise<AdapterSession | null>
    >();
    expectTypeOf<AuthjsAdapter['deleteSession']>().toEqualTypeOf<
      (sessionToken: string) => Promise<AdapterSession | null>
    >();
    expectTypeOf<AuthjsAdapter['createVerificationToken']>().toEqualTypeOf<
      (token: VerificationToken) => Promise<VerificationToken>
    >();
    expectTypeOf<AuthjsAdapter['useVerificationToken']>().toEqualTypeOf<
      (params: { identifier: string; token: string }) => Promise<VerificationToken | null>
    >();
    expectTypeOf<AuthjsAdapter['getAccount']>().toEqualTypeOf<
      (providerAccountId: string, provider: string) => Promise<AdapterAccount | null>
    >();
    expectTypeOf<AuthjsAdapter['createAuthenticator']>().toEqualTypeOf<
      (authenticator: AdapterAuthenticator) => Promise<AdapterAuthenticator>
    >();
    expectTypeOf<AuthjsAdapter['getAuthenticator']>().toEqualTypeOf<
      (credentialID: string) => Promise<AdapterAuthenticator | null>
    >();
    expectTypeOf<AuthjsAdapter['listAuthenticatorsByUserId']>().toEqualTypeOf<
      (userId: string) => Promise<AdapterAuthenticator[]>
    >();
    expectTypeOf<AuthjsAdapter['updateAuthenticatorCounter']>().toEqualTypeOf<
      (credentialID: string, newCounter: number) => Promise<AdapterAuthenticator>
    >();
  });

  it('takes entities and field names per Auth.js model', () => {
    expectTypeOf<MikroOrmAdapterOptions>().toEqualTypeOf<{
      entities?: Partial<Record<AuthjsModel, ModelTarget>>;
      fields?: AuthjsFieldNames;
      reads?: ReadRouting;
      preparedStatements?: boolean;
    }>();
    expectTypeOf<{
      reads: { from: 'replicas'; maxLagMs: 500 };
    }>().toExtend<MikroOrmAdapterOptions>();
    expectTypeOf<{ entities: { user: 'AppUser' } }>().toExtend<MikroOrmAdapterOptions>();
    expectTypeOf<{ entities: { member: 'AppUser' } }>().not.toExtend<MikroOrmAdapterOptions>();
    expectTypeOf<{ user: { emailVerified: 'verifiedAt' } }>().toExtend<AuthjsFieldNames>();
    expectTypeOf<{ session: { emailVerified: 'x' } }>().not.toExtend<AuthjsFieldNames>();
  });
});

describe('Auth.js models and fields', () => {
  it('names the five models', () => {
    expectTypeOf<AuthjsModel>().toEqualTypeOf<
      'user' | 'account' | 'session' | 'verificationToken' | 'authenticator'
    >();
    expectTypeOf<keyof AuthjsFields>().toEqualTypeOf<AuthjsModel>();
  });

  it('names every field under its Auth.js name', () => {
    expectTypeOf<AuthjsFields['user']>().toEqualTypeOf<
      'id' | 'name' | 'email' | 'emailVerified' | 'image'
    >();
    expectTypeOf<AuthjsFields['account']>().toEqualTypeOf<
      | 'id'
      | 'userId'
      | 'type'
      | 'provider'
      | 'providerAccountId'
      | 'refresh_token'
      | 'access_token'
      | 'expires_at'
      | 'token_type'
      | 'scope'
      | 'id_token'
      | 'session_state'
      | 'extra'
    >();
    expectTypeOf<AuthjsFields['session']>().toEqualTypeOf<
      'id' | 'sessionToken' | 'userId' | 'expires'
    >();
    expectTypeOf<AuthjsFields['verificationToken']>().toEqualTypeOf<
      'identifier' | 'token' | 'expires'
    >();
    expectTypeOf<AuthjsFields['authenticator']>().toEqualTypeOf<
      | 'id'
      | 'credentialID'
      | 'userId'
      | 'providerAccountId'
      | 'credentialPublicKey'
      | 'counter'
      | 'credentialDeviceType'
      | 'credentialBackedUp'
      | 'transports'
    >();
  });
});

describe('authjsEntities / authjsTables', () => {
  it('take the table options and return entities / table specs', () => {
    expectTypeOf(authjsEntities).parameters.toEqualTypeOf<[options?: AuthjsEntitiesOptions]>();
    expectTypeOf(authjsEntities).returns.toEqualTypeOf<AuthjsEntity[]>();
    expectTypeOf<AuthjsEntity>().toEqualTypeOf<EntityClass<object> | EntitySchema>();
    expectTypeOf(authjsDefaultEntities).returns.toEqualTypeOf<
      Record<'User' | 'Account' | 'Session' | 'VerificationToken' | 'Authenticator', EntitySchema>
    >();
    expectTypeOf(authjsTables).parameters.toEqualTypeOf<[options?: AuthjsTablesOptions]>();
    expectTypeOf(authjsTables).returns.toEqualTypeOf<TableSpec[]>();
  });

  it('take your own entity per model, a class, an EntitySchema or a defineEntity result', () => {
    expectTypeOf<AuthjsEntitiesOptions>().toExtend<AuthjsTablesOptions>();
    expectTypeOf<AuthjsEntitiesOptions['entities']>().toEqualTypeOf<
      Partial<Record<AuthjsModel, AuthjsEntity>> | undefined
    >();
    class User {
      id!: string;
    }
    const Schema = new EntitySchema<{ id: string }>({
      name: 'User',
      properties: { id: { type: 'string', primary: true } },
    });
    const Defined = defineEntity({ name: 'User', properties: { id: p.string().primary() } });
    authjsEntities({ entities: { user: User } });
    authjsEntities({ entities: { user: Schema } });
    authjsEntities({ entities: { user: Defined } });
  });

  it('types the table options', () => {
    expectTypeOf<AuthjsTablesOptions>().toEqualTypeOf<{
      tableNames?: Partial<Record<AuthjsModel, string>>;
      entityNames?: Partial<Record<AuthjsModel, string>>;
      columns?: AuthjsFieldNames;
      additionalFields?: { [M in AuthjsModel]?: Readonly<Record<string, FieldSpec>> };
      webAuthn?: boolean;
      accountExtra?: boolean;
    }>();
  });
});
