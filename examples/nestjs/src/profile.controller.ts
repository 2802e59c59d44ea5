/**
 * `GET /profile` and `POST /profile`: the app's route that writes its own entity and Better Auth's
 * user in ONE transaction. `POST /profile?fail=1` throws after both writes, so both roll back.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { EntityManager } from '@mikro-orm/core';
import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpException,
  HttpStatus,
  Inject,
  Post,
  Query,
  Req,
  UnauthorizedException,
} from '@nestjs/common';
import { fromNodeHeaders } from 'better-auth/node';
import { AUTH, type Auth } from './auth.provider.js';
import { AuthUser } from './database.js';
import { Profile } from './profile.entity.js';

@Controller('profile')
export class ProfileController {
  constructor(
    @Inject(AUTH) private readonly auth: Auth,
    // The global EntityManager: under the RequestContext middleware of @mikro-orm/nestjs every
    // call on it runs on this request's fork (and refuses to run outside a request).
    @Inject(EntityManager) private readonly em: EntityManager,
  ) {}

  private async session(request: IncomingMessage) {
    const headers = fromNodeHeaders(request.headers);
    const session = await this.auth.api.getSession({ headers });
    if (!session) throw new UnauthorizedException('Sign in first');
    return { headers, user: session.user };
  }

  @Get()
  async read(@Req() request: IncomingMessage) {
    const { user } = await this.session(request);
    const profile = await this.em.findOne(Profile, { userId: user.id });
    return { user: { id: user.id, name: user.name, email: user.email }, bio: profile?.bio ?? null };
  }

  @Post()
  async save(
    @Req() request: IncomingMessage,
    @Body() body: { name?: unknown; bio?: unknown } | undefined,
    @Query('fail') fail?: string,
  ) {
    const { headers, user } = await this.session(request);
    const { name, bio } = body ?? {};
    if (typeof name !== 'string' || !name || typeof bio !== 'string') {
      throw new BadRequestException('Send JSON { "name": string, "bio": string }');
    }
    await this.em.transactional(async (em) => {
      // 1. The app's write, through the transaction's EntityManager, flushed now so its
      //    INSERT/UPDATE really runs inside the transaction.
      const profile = await em.findOne(Profile, { userId: user.id });
      if (profile) Object.assign(profile, { bio, updatedAt: new Date() });
      else em.create(Profile, { id: randomUUID(), userId: user.id, bio, updatedAt: new Date() });
      await em.flush();

      // 2. Better Auth's write, through its public API. The adapter runs every call on the active
      //    transaction's EntityManager (MikroORM's TransactionContext), and Better Auth's own
      //    transaction around updateUser becomes a savepoint of this one: it joins.
      await this.auth.api.updateUser({ headers, body: { name } });

      // 3. ?fail=1: an error after both writes rolls both back. The response says which name the
      //    transaction saw after updateUser: the new one, so Better Auth's write ran inside it.
      if (fail === '1') {
        const seen = await em.findOneOrFail(AuthUser, { id: user.id }, { refresh: true });
        throw new HttpException(
          {
            statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
            message: 'fail=1: thrown after both writes; both are rolled back',
            nameInsideTransaction: seen.name,
          },
          HttpStatus.INTERNAL_SERVER_ERROR,
        );
      }
    });
    return this.read(request);
  }
}
