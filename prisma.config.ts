// Read by the Prisma CLI (`prisma generate`, and `prisma migrate status|deploy` on a machine that can
// download Prisma's engines). The URL is read leniently: Prisma 7's env() throws when the variable is
// unset, which would break client generation in CI (STACK-NOTES). Offline, use `npm run db:migrate`.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
