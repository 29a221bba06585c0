import type { FormObject } from './form';

export interface RouteContext {
  pathParams: Record<string, string>;
  params: FormObject;
  method: string;
  path: string;
}

export type RouteHandler = (ctx: RouteContext) => unknown;

interface Route {
  method: string;
  segments: string[];
  handler: RouteHandler;
}

/** A tiny method+path router: `/v1/customers/:id` style patterns, literal segments win over params. */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: RouteHandler): this {
    this.routes.push({ method, segments: pattern.split('/').filter(Boolean), handler });
    return this;
  }

  get(pattern: string, handler: RouteHandler): this {
    return this.add('GET', pattern, handler);
  }

  post(pattern: string, handler: RouteHandler): this {
    return this.add('POST', pattern, handler);
  }

  delete(pattern: string, handler: RouteHandler): this {
    return this.add('DELETE', pattern, handler);
  }

  match(method: string, path: string): { handler: RouteHandler; pathParams: Record<string, string> } | undefined {
    const parts = path.split('/').filter(Boolean);
    let best: { handler: RouteHandler; pathParams: Record<string, string>; literals: number } | undefined;
    for (const route of this.routes) {
      if (route.method !== method || route.segments.length !== parts.length) continue;
      const pathParams: Record<string, string> = {};
      let literals = 0;
      const ok = route.segments.every((seg, i) => {
        const part = parts[i] ?? '';
        if (seg.startsWith(':')) {
          pathParams[seg.slice(1)] = decodeURIComponent(part);
          return true;
        }
        literals += 1;
        return seg === part;
      });
      if (ok && (!best || literals > best.literals)) best = { handler: route.handler, pathParams, literals };
    }
    return best && { handler: best.handler, pathParams: best.pathParams };
  }
}
