import http from 'node:http';
import https from 'node:https';

/**
 * POSTs one webhook and answers the status code, over kept-alive connections: at scale (about 100 deliveries per
 * organization-year) undici's fetch spent a third of the simulator's busy time on streams, abort plumbing and a
 * fresh connection per delivery.
 */
export class WebhookPoster {
  private readonly agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

  post(url: string, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<number> {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const request = secure ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const req = request(
        target,
        {
          method: 'POST',
          headers: { ...headers, 'Content-Length': Buffer.byteLength(body) },
          agent: secure ? this.agents.https : this.agents.http,
          signal,
        },
        (res) => {
          res.on('error', reject);
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.resume();
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
