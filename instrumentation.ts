/**
 * Runs once when the Next.js server starts: a setting the app cannot run with (a chain the build
 * holds no deployment for, the burner wallet off the devnet, a malformed RPC URL or public origin)
 * stops the server with the reason, instead of failing every page or upload later.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { readRuntimeConfig } = await import('./components/runtime-config.server');
  const { readPublicOrigins } = await import('./components/public-origin.server');
  readRuntimeConfig();
  readPublicOrigins();
}
