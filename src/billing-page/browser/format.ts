/** Minor units as money in the currency's own format. */
export function money(minor: number, currency: string): string {
  const digits = ['jpy', 'krw'].includes(currency.toLowerCase()) ? 0 : 2;
  return new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() }).format(
    minor / 10 ** digits,
  );
}

export function day(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleDateString('en', { dateStyle: 'medium', timeZone: 'UTC' }) : '—';
}

export function dayAndTime(iso: string | null | undefined): string {
  return iso
    ? new Date(iso).toLocaleString('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) + ' UTC'
    : '—';
}

export const count = (n: number): string => new Intl.NumberFormat('en').format(n);

export const words = (s: string): string => s.replaceAll('_', ' ');
