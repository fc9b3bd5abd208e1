# Production image of both servers: the auth server by default, the resource server with
# `node apps/resource-server/dist/main.js` (see docker-compose.yml).
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY . .
RUN npm install --no-audit --no-fund && npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim
WORKDIR /app
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 4000 4001
CMD ["node", "apps/auth-server/dist/main.js"]
