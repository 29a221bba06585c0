/** The least a production configuration needs (src/config.ts refuses the rest): none of it published anywhere. */
export const PRODUCTION_ENV = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://billing:a-password-of-our-own@db.internal:5432/billing',
  JWT_ISSUER: 'https://auth.example.com/',
  JWT_AUDIENCE: 'billing',
  STRIPE_WEBHOOK_SECRET: 'whsec_ourownsecret0123456789',
};
