# One image for the three apps (docker-compose.yml picks the entry point). Optional path: the
# project runs without Docker through infra/infra.sh.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm install --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/config ./config
COPY --from=build /app/infra ./infra
COPY --from=build /app/apps/settlement/migrations ./apps/settlement/migrations
COPY --from=build /app/package.json ./package.json
CMD ["node", "dist/apps/gateway/src/main.js"]
