const KEY = 'billing.userToken';

/**
 * The user token, kept for this tab. A sign-in link carries it in the URL fragment (`/billing/sign-in#token=…`),
 * which browsers never send to a server; it is moved into sessionStorage and the fragment removed at once.
 */
export function takeTokenFromLink(): void {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const token = fragment.get('token');
  if (!token) return;
  sessionStorage.setItem(KEY, token);
  history.replaceState(null, '', '/billing');
}

export const userToken = (): string | undefined => sessionStorage.getItem(KEY) ?? undefined;

export function signOut(): void {
  sessionStorage.removeItem(KEY);
}
