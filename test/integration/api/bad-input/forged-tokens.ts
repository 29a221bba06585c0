import { createHmac } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { TEST_JWT_SECRET, TEST_SERVICE_TOKEN, userToken } from '../../../helpers/tokens';

const b64 = (s: string) => Buffer.from(s).toString('base64url');

/** A JWT with the right key over arbitrary header and payload text (so the payload need not be JSON). */
function hs256(header: string, payload: string, secret = TEST_JWT_SECRET): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

const signed = (claims: Record<string, unknown>, opts: { alg?: string; secret?: string; exp?: number | string } = {}) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: opts.alg ?? 'HS256' })
    .setExpirationTime(opts.exp ?? '1h')
    .sign(new TextEncoder().encode(opts.secret ?? TEST_JWT_SECRET));

/** Authorization headers no endpoint may accept (undefined = no header at all). */
export async function forgedAuthorizations(org: string): Promise<{ name: string; header: string | undefined }[]> {
  const good = { sub: 'user_1', org_id: org, role: 'owner' };
  const valid = await userToken({ org });
  const [h, p] = valid.split('.');
  const exp = Math.floor(Date.now() / 1000) + 3600;
  return [
    { name: 'no header', header: undefined },
    { name: 'empty bearer', header: 'Bearer ' },
    { name: 'bare scheme', header: 'Bearer' },
    { name: 'basic scheme', header: `Basic ${b64('owner:secret')}` },
    { name: 'token without scheme', header: valid },
    { name: 'two tokens', header: `Bearer ${valid} ${valid}` },
    { name: 'garbage', header: 'Bearer not.a.jwt' },
    { name: 'alg none', header: `Bearer ${new UnsecuredJWT(good).setExpirationTime('1h').encode()}` },
    { name: 'alg none, signature kept', header: `Bearer ${b64('{"alg":"none"}')}.${p}.${valid.split('.')[2]}` },
    { name: 'signature stripped', header: `Bearer ${h}.${p}.` },
    { name: 'wrong key', header: `Bearer ${await signed(good, { secret: 'not-the-secret-0123456789abcdef0123' })}` },
    { name: 'HS512 with the right key', header: `Bearer ${await signed(good, { alg: 'HS512' })}` },
    { name: 'expired', header: `Bearer ${await signed(good, { exp: Math.floor(Date.now() / 1000) - 60 })}` },
    {
      name: 'exp as a string',
      header: `Bearer ${hs256('{"alg":"HS256"}', JSON.stringify({ ...good, exp: String(exp) }))}`,
    },
    { name: 'payload not JSON', header: `Bearer ${hs256('{"alg":"HS256"}', 'not json at all')}` },
    { name: 'payload a JSON array', header: `Bearer ${hs256('{"alg":"HS256"}', '[1,2,3]')}` },
    { name: 'header not JSON', header: `Bearer ${hs256('{alg:HS256', JSON.stringify({ ...good, exp }))}` },
    {
      name: 'unknown crit header',
      header: `Bearer ${hs256('{"alg":"HS256","crit":["x-evil"],"x-evil":1}', JSON.stringify({ ...good, exp }))}`,
    },
    { name: 'org_id with SQL', header: `Bearer ${await signed({ ...good, org_id: "x' or '1'='1" })}` },
    { name: 'org_id with NUL', header: `Bearer ${await signed({ ...good, org_id: `${org}\u0000` })}` },
    { name: 'org_id LIKE wildcard', header: `Bearer ${await signed({ ...good, org_id: '%' })}` },
    { name: 'org_id as an object', header: `Bearer ${await signed({ ...good, org_id: { $ne: null } })}` },
    {
      name: 'org_id __proto__',
      header: `Bearer ${hs256('{"alg":"HS256"}', `{"sub":"u","role":"owner","exp":${exp},"__proto__":{"org_id":"${org}"}}`)}`,
    },
    { name: 'unknown role', header: `Bearer ${await signed({ ...good, role: 'root' })}` },
    { name: 'no sub', header: `Bearer ${await signed({ org_id: org, role: 'owner' })}` },
    { name: 'huge sub', header: `Bearer ${await signed({ ...good, sub: 's'.repeat(5_000) })}` },
    { name: 'service token near miss', header: `Bearer ${TEST_SERVICE_TOKEN.slice(0, -1)}x` },
    { name: 'service token with suffix', header: `Bearer ${TEST_SERVICE_TOKEN}0` },
    { name: 'lowercase scheme', header: `bearer ${TEST_SERVICE_TOKEN.toUpperCase()}` },
  ];
}
