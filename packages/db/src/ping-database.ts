import type { PrismaClient } from './generated/client.js';

/** True when PostgreSQL answers within the pool's connection timeout. */
export async function pingDatabase(prisma: PrismaClient): Promise<boolean> {
  try {
    await prisma.$queryRaw`SELECT 1`;
    return true;
  } catch {
    return false;
  }
}
