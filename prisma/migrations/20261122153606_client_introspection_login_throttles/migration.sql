-- AlterTable
ALTER TABLE "clients" ADD COLUMN     "introspection" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "login_throttles" (
    "id" TEXT NOT NULL,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "lockedUntil" TIMESTAMP(3),
    "lastFailureAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "login_throttles_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "login_throttles_lastFailureAt_idx" ON "login_throttles"("lastFailureAt");
