import { Hono } from 'hono';
import type { AppEnv } from '../context';

export const metricsRoutes = new Hono<AppEnv>().get('/metrics', async (c) => {
  const { registry } = c.get('deps').metrics;
  return c.text(await registry.metrics(), 200, { 'Content-Type': registry.contentType });
});
