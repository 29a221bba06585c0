/**
 * What an organization id may look like wherever one enters from outside (tokens, usage events, Stripe
 * metadata): printable and bounded, so it can be a key in any index.
 */
export const ORGANIZATION_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
