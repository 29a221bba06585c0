# One image for the API, the worker, the Stripe simulator and the mail sink (the command picks).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --include=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY tools ./tools
USER node
CMD ["npx", "tsx", "src/server.ts"]
