import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { authProvider } from './auth.provider.js';
import { ormOptions } from './database.js';
import { ProfileController } from './profile.controller.js';

@Module({
  // forRoot creates the MikroORM instance (and closes it on shutdown). Its RequestContext
  // middleware (`registerRequestContext`, on by default) gives every Nest route its own fork.
  imports: [MikroOrmModule.forRoot(ormOptions())],
  providers: [authProvider],
  controllers: [ProfileController],
})
export class AppModule {}
