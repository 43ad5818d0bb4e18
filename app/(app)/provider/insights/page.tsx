import type { Metadata } from 'next';

import { ProviderInsights } from '../../../../components/risk/provider-insights';

export const metadata: Metadata = { title: 'Patient risk insights — MedLedger' };

export default async function ProviderInsightsPage({
  searchParams,
}: {
  searchParams: Promise<{ address?: string | string[] }>;
}) {
  const { address } = await searchParams;
  return <ProviderInsights address={Array.isArray(address) ? address[0] : address} />;
}
